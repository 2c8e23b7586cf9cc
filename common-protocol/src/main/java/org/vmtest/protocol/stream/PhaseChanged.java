package org.vmtest.protocol.stream;

import java.time.Instant;
import java.util.Objects;
import org.vmtest.protocol.Phase;

/** The job entered a phase. */
public record PhaseChanged(String jobId, int attempt, Instant time, String runId, Phase phase) implements StreamEvent {
    public PhaseChanged {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(phase, "phase");
    }
}
