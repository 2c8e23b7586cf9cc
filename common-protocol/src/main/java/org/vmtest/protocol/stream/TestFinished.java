package org.vmtest.protocol.stream;

import java.time.Instant;
import java.util.Objects;

/**
 * One declarative test of the profile ended.
 *
 * @param exitCode   the command's exit status, or -1 when it timed out or the connection dropped
 * @param reason     why it failed, in words; empty when it passed
 * @param outputTail the last lines of its output
 */
public record TestFinished(String jobId, int attempt, Instant time, String runId, String name, boolean passed,
                           int exitCode, long durationMillis, String reason, String outputTail) implements StreamEvent {
    public TestFinished {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(name, "name");
        if (reason == null) reason = "";
        if (outputTail == null) outputTail = "";
    }
}
