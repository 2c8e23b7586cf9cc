package org.vmtest.coordinator.state;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.vmtest.coordinator.api.WorkerView;
import org.vmtest.protocol.workers.WorkerStatus;

/** The last heartbeat of every worker, from the compacted {@code vmtest.workers} topic. */
public final class WorkerRegistry {
    private final Map<String, WorkerStatus> workers = new ConcurrentHashMap<>();
    private final Duration heartbeatInterval;

    public WorkerRegistry(Duration heartbeatInterval) {
        this.heartbeatInterval = heartbeatInterval;
    }

    void put(WorkerStatus status) {
        workers.merge(status.workerId(), status, (old, now) -> now.time().isBefore(old.time()) ? old : now);
    }

    void remove(String workerId) {
        workers.remove(workerId);
    }

    /** Stale: no heartbeat for three intervals, so the worker is probably gone without saying so. */
    public List<WorkerView> list(Instant now) {
        Instant overdue = now.minus(heartbeatInterval.multipliedBy(3));
        return workers.values().stream()
                .sorted(Comparator.comparing(WorkerStatus::workerId))
                .map(w -> new WorkerView(w, w.state() == WorkerStatus.State.RUNNING && w.time().isBefore(overdue)))
                .toList();
    }
}
