package org.vmtest.coordinator.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.jobs.ArtifactSpec;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.protocol.runs.RunSubmitted;

/**
 * A run as the API shows it and as the compacted {@code vmtest.runs} topic stores it (keyed by run id). CI scripts
 * read these names: {@code id}, {@code state}, {@code verdict} (null until the {@code RunVerdict}), {@code labels},
 * {@code createdAt}, {@code jobs}.
 *
 * @param createdAt when the run was submitted; null only inside the coordinator's fold, for a run whose jobs
 *                  reported before its submission record was read
 * @param variables the run's variables, secret ones as {@code ***}
 * @param artifacts the run's artifacts, never with their headers
 * @param profiles  the profiles the jobs run, variables substituted, secret values as {@code ***}
 * @param allFailuresKnown the run did not pass and every job that did not pass failed with a known issue
 *                         ({@code failure.knownIssue}); set with the verdict
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Run(String id, RunStatus state, Verdict verdict, Map<String, String> labels, Instant createdAt,
                  Instant updatedAt, Instant finishedAt, List<Job> jobs, Map<String, String> variables,
                  Map<String, ArtifactSpec> artifacts, List<Profile> profiles, boolean allFailuresKnown) {
    /** A run without variables, artifacts or recorded profiles. */
    public Run(String id, RunStatus state, Verdict verdict, Map<String, String> labels, Instant createdAt,
               Instant updatedAt, Instant finishedAt, List<Job> jobs) {
        this(id, state, verdict, labels, createdAt, updatedAt, finishedAt, jobs, Map.of(), Map.of(), List.of(), false);
    }

    public Run {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        jobs = jobs == null ? List.of() : List.copyOf(jobs);
        variables = variables == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(variables));
        artifacts = RunSubmitted.withoutHeaders(artifacts);
        profiles = profiles == null ? List.of() : List.copyOf(profiles);
    }

    /** This run with another state, verdict, times and jobs; what was submitted stays. */
    public Run with(RunStatus state, Verdict verdict, Instant updatedAt, Instant finishedAt, List<Job> jobs) {
        return with(state, verdict, updatedAt, finishedAt, jobs, allFailuresKnown);
    }

    /** The same, with whether every failure is a known issue. */
    public Run with(RunStatus state, Verdict verdict, Instant updatedAt, Instant finishedAt, List<Job> jobs,
                    boolean allFailuresKnown) {
        return new Run(id, state, verdict, labels, createdAt, updatedAt, finishedAt, jobs, variables, artifacts,
                profiles, allFailuresKnown);
    }

    /** The resolved profile of this run by name (secret values masked). */
    public Optional<Profile> profile(String name) {
        return profiles.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    @JsonIgnore
    public boolean submitted() {
        return createdAt != null;
    }

    public Optional<Job> job(String jobId) {
        return jobs.stream().filter(j -> j.id().equals(jobId)).findFirst();
    }
}
