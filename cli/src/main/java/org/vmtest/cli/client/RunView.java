package org.vmtest.cli.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.verdicts.FailureAnalysis;
import org.vmtest.protocol.verdicts.SubtestResult;

/**
 * A run as the coordinator's API shows it ({@code GET /api/v1/runs/{id}}): the documented fields CI scripts use,
 * read as any API client would. Fields the CLI does not use are ignored.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RunView(String id, String state, Verdict verdict, Map<String, String> labels, Instant createdAt,
                      List<JobView> jobs, boolean allFailuresKnown) {
    public RunView(String id, String state, Verdict verdict, Map<String, String> labels, Instant createdAt,
                   List<JobView> jobs) {
        this(id, state, verdict, labels, createdAt, jobs, false);
    }

    public RunView {
        labels = labels == null ? Map.of() : labels;
        jobs = jobs == null ? List.of() : jobs;
    }

    public boolean finished() {
        return verdict != null || "CANCELLED".equals(state);
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record JobView(String id, String profile, String phase, int attempt, String worker, Verdict verdict,
                          String reason, FailureAnalysis failure, List<PhaseSpan> phases, List<TestView> tests) {
        public JobView {
            phases = phases == null ? List.of() : phases;
            tests = tests == null ? List.of() : tests;
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PhaseSpan(String name, Instant start, Instant end) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TestView(String name, boolean passed, long durationMillis, String reason,
                           List<SubtestResult> subtests) {
        public TestView {
            subtests = subtests == null ? List.of() : subtests;
        }
    }
}
