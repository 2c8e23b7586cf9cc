package org.vmtest.coordinator.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.vmtest.protocol.Verdict;

/**
 * A run as the API shows it and as the compacted {@code vmtest.runs} topic stores it (keyed by run id). CI scripts
 * read these names: {@code id}, {@code state}, {@code verdict} (null until the {@code RunVerdict}), {@code labels},
 * {@code createdAt}, {@code jobs}.
 *
 * @param createdAt when the run was submitted; null only inside the coordinator's fold, for a run whose jobs
 *                  reported before its submission record was read
 * @param allFailuresKnown the run did not pass and every job that did not pass failed with a known issue
 *                         ({@code failure.knownIssue}); set with the verdict
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Run(String id, RunStatus state, Verdict verdict, Map<String, String> labels, Instant createdAt,
                  Instant updatedAt, Instant finishedAt, List<Job> jobs, boolean allFailuresKnown) {
    public Run(String id, RunStatus state, Verdict verdict, Map<String, String> labels, Instant createdAt,
               Instant updatedAt, Instant finishedAt, List<Job> jobs) {
        this(id, state, verdict, labels, createdAt, updatedAt, finishedAt, jobs, false);
    }

    public Run {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        jobs = jobs == null ? List.of() : List.copyOf(jobs);
    }

    @JsonIgnore
    public boolean submitted() {
        return createdAt != null;
    }

    public Optional<Job> job(String jobId) {
        return jobs.stream().filter(j -> j.id().equals(jobId)).findFirst();
    }
}
