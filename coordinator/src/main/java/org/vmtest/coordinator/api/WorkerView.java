package org.vmtest.coordinator.api;

import org.vmtest.protocol.workers.WorkerStatus;

/** A worker's last heartbeat, and whether it is overdue (no heartbeat for three intervals). */
public record WorkerView(WorkerStatus status, boolean stale) {
}
