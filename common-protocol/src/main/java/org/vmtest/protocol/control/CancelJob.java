package org.vmtest.protocol.control;

import java.time.Instant;
import java.util.Objects;

/** A user cancelled the run: stop the job, whatever it is doing. */
public record CancelJob(String jobId, String runId, Instant time, String reason) implements ControlCommand {
    public CancelJob {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(time, "time");
        if (reason == null || reason.isBlank()) reason = "cancelled";
    }
}
