package org.vmtest.protocol.runs;

import java.time.Instant;
import java.util.Objects;

/** A user cancelled the run; {@code CancelJob} records for its unfinished jobs went out in the same transaction. */
public record RunCancelled(String runId, Instant time, String reason) implements RunCommand {
    public RunCancelled {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(time, "time");
        if (reason == null || reason.isBlank()) reason = "cancelled";
    }
}
