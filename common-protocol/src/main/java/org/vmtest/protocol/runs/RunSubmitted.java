package org.vmtest.protocol.runs;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.vmtest.protocol.jobs.ArtifactSpec;
import org.vmtest.protocol.jobs.Profile;

/**
 * A run was accepted: written in the same transaction as its jobs' {@code JobRequested} records. It holds what the
 * API may show of the run's inputs, so every coordinator (a restarted one too) can show them: never a secret.
 *
 * @param jobs      the run's jobs, in the order the profiles were asked for
 * @param variables the run's variables, secret ones with the value {@code ***}
 * @param artifacts the run's artifacts, without their headers
 * @param profiles  the profiles its jobs run, variables substituted, secret values as {@code ***}; one per name
 */
public record RunSubmitted(String runId, Instant time, List<JobRef> jobs, Map<String, String> labels,
                           Map<String, String> variables, Map<String, ArtifactSpec> artifacts, List<Profile> profiles)
        implements RunCommand {

    /** One job of the run and the profile it runs. */
    public record JobRef(String jobId, String profile) {
        public JobRef {
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(profile, "profile");
        }
    }

    public RunSubmitted(String runId, Instant time, List<JobRef> jobs, Map<String, String> labels) {
        this(runId, time, jobs, labels, Map.of(), Map.of(), List.of());
    }

    public RunSubmitted {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(time, "time");
        jobs = jobs == null ? List.of() : List.copyOf(jobs);
        if (jobs.isEmpty()) throw new IllegalArgumentException("a run needs at least one job");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        variables = variables == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(variables));
        artifacts = withoutHeaders(artifacts);
        profiles = profiles == null ? List.of() : List.copyOf(profiles);
    }

    /** Header values are secrets: they never leave the jobs topic, whoever builds this record. */
    public static Map<String, ArtifactSpec> withoutHeaders(Map<String, ArtifactSpec> artifacts) {
        if (artifacts == null || artifacts.isEmpty()) return Map.of();
        Map<String, ArtifactSpec> shown = new TreeMap<>();
        artifacts.forEach((name, spec) -> shown.put(name, spec.withoutHeaders()));
        return Collections.unmodifiableMap(shown);
    }
}
