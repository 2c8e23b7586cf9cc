package org.vmtest.protocol.control;

import java.time.Instant;
import java.util.Objects;

/** The analyzer saw a critical failure: destroy the VM now. {@code patternId} names what it saw. */
public record AbortJob(String jobId, String runId, Instant time, String reason, String patternId, long lineSeq)
        implements ControlCommand {
    public AbortJob {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(reason, "reason");
    }
}
