package org.vmtest.protocol.stream;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;

/**
 * The worker is done with the job and the VM is gone. {@code outcome} is the worker's view; the analyzer's
 * {@code JobVerdict} is the final word (it also weighs the findings).
 *
 * @param lastPhase           the phase the job was in when it ended
 * @param phaseMillis         how long each phase it went through took
 * @param artifactFetchMillis of PROVISIONING, the time spent getting the job's artifacts (downloads, or finding them
 *                            in the cache) before the domain was created; the rest of PROVISIONING is the boot.
 *                            Also set when the fetch failed or was stopped (its time until then); 0 when the job
 *                            names no artifact
 */
public record JobFinished(String jobId, int attempt, Instant time, String runId, Verdict outcome, String reason,
                          Phase lastPhase, Map<Phase, Long> phaseMillis, String workerId, long artifactFetchMillis)
        implements StreamEvent {
    public JobFinished {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(outcome, "outcome");
        if (reason == null) reason = "";
        phaseMillis = phaseMillis == null ? Map.of() : Map.copyOf(phaseMillis);
        if (artifactFetchMillis < 0) {
            throw new IllegalArgumentException("artifactFetchMillis must not be negative, got " + artifactFetchMillis);
        }
    }

    /** A job that fetched no artifact. */
    public JobFinished(String jobId, int attempt, Instant time, String runId, Verdict outcome, String reason,
                       Phase lastPhase, Map<Phase, Long> phaseMillis, String workerId) {
        this(jobId, attempt, time, runId, outcome, reason, lastPhase, phaseMillis, workerId, 0);
    }
}
