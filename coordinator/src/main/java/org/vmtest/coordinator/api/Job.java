package org.vmtest.coordinator.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.verdicts.FailureAnalysis;

/**
 * One job of a run as the API shows it and as {@code vmtest.runs} stores it. CI scripts read these names.
 *
 * @param phase   the phase it is in (or ended in); null until a worker took it
 * @param attempt the attempt a worker is on (0 until a worker took it)
 * @param verdict the analyzer's {@code JobVerdict}; null while the job runs
 * @param failure why it did not pass; null when it passed or is still running
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Job(String id, String profile, Phase phase, int attempt, String worker, Verdict verdict, String reason,
                  FailureAnalysis failure, List<PhaseSpan> phases, List<TestResult> tests, Instant startedAt,
                  Instant finishedAt) {
    public Job {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(profile, "profile");
        if (reason == null) reason = "";
        phases = phases == null ? List.of() : List.copyOf(phases);
        tests = tests == null ? List.of() : List.copyOf(tests);
    }

    public static Job queued(String id, String profile) {
        return new Job(id, profile, null, 0, null, null, "", null, List.of(), List.of(), null, null);
    }

    @JsonIgnore
    public boolean finished() {
        return verdict != null;
    }

    @JsonIgnore
    public boolean started() {
        return startedAt != null;
    }

    /** queued, running or finished: the job's state for metrics and the web view. */
    @JsonIgnore
    public String state() {
        return finished() ? "finished" : started() ? "running" : "queued";
    }
}
