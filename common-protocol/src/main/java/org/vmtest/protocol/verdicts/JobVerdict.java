package org.vmtest.protocol.verdicts;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.vmtest.protocol.Verdict;

/**
 * The analyzer's final word on one job, emitted once when the job finished.
 *
 * @param failure  null when PASSED
 * @param findings titles of the failure-relevant findings (critical, error, failure), in order seen
 * @param metrics  metric name to value, as extracted from the job's output
 * @param tests    each declarative test that ended, in order, with the subtests it reported
 */
public record JobVerdict(String runId, String jobId, int attempt, Instant time, String profile, Verdict verdict,
                         String reason, FailureAnalysis failure, List<String> findings, Map<String, Double> metrics,
                         int testsPassed, int testsFailed, List<TestOutcome> tests) implements VerdictEvent {
    public JobVerdict(String runId, String jobId, int attempt, Instant time, String profile, Verdict verdict,
                      String reason, FailureAnalysis failure, List<String> findings, Map<String, Double> metrics,
                      int testsPassed, int testsFailed) {
        this(runId, jobId, attempt, time, profile, verdict, reason, failure, findings, metrics, testsPassed,
                testsFailed, List.of());
    }

    public JobVerdict {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(verdict, "verdict");
        if (profile == null) profile = "";
        if (reason == null) reason = "";
        findings = findings == null ? List.of() : List.copyOf(findings);
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
        tests = tests == null ? List.of() : List.copyOf(tests);
    }
}
