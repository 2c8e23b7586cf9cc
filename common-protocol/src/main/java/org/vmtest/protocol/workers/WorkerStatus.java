package org.vmtest.protocol.workers;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.vmtest.protocol.codec.Versioned;

/**
 * A worker's heartbeat on the compacted {@code vmtest.workers} topic, keyed by worker id. A worker going away
 * cleanly sends a last one with state STOPPED.
 *
 * @param accelerator what its VMs run with: {@code kvm} or {@code tcg}
 */
public record WorkerStatus(String workerId, Instant time, State state, int slots, List<String> runningJobs,
                           String accelerator, String libvirtVersion, String qemuVersion, String host)
        implements Versioned {
    public enum State { RUNNING, STOPPED }

    public WorkerStatus {
        Objects.requireNonNull(workerId, "workerId");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(state, "state");
        runningJobs = runningJobs == null ? List.of() : List.copyOf(runningJobs);
    }
}
