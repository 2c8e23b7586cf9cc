package org.vmtest.protocol.verdicts;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.vmtest.protocol.Verdict;

/**
 * Every job of the run has its verdict; emitted exactly once per run by the coordinator.
 *
 * @param allFailuresKnown the run did not pass and every job that did not pass failed with a known issue
 */
public record RunVerdict(String runId, Instant time, Verdict verdict, Map<String, Verdict> jobs,
                         Map<String, String> labels, boolean allFailuresKnown) implements VerdictEvent {
    public RunVerdict(String runId, Instant time, Verdict verdict, Map<String, Verdict> jobs,
                      Map<String, String> labels) {
        this(runId, time, verdict, jobs, labels, false);
    }

    public RunVerdict {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(verdict, "verdict");
        jobs = jobs == null ? Map.of() : Map.copyOf(jobs);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
