package org.vmtest.protocol.verdicts;

import java.time.Instant;
import java.util.Objects;

/**
 * One entry of the analyzer's decision log: what it saw and what it decided, in words a person reads.
 *
 * @param observed what the analyzer saw (a line, a silence, a finished job)
 * @param decision what it did: {@code abort}, {@code verdict FAILED}, {@code keep watching}
 * @param reason   why
 */
public record Thought(String runId, String jobId, Instant time, String observed, String decision, String reason)
        implements VerdictEvent {
    public Thought {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(observed, "observed");
        Objects.requireNonNull(decision, "decision");
        if (reason == null) reason = "";
    }
}
