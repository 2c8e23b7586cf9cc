package org.vmtest.protocol.jobs;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A job for any worker: run this profile once, as part of this run.
 *
 * @param profile   the profile with the run's variables already substituted
 * @param artifacts the run's artifacts this job's profile names as {@code artifact:NAME}, by name
 * @param secrets   the values of the run's secret variables: the profile may hold them (in a command, say), and
 *                  the worker shows each as {@code ***} in whatever it publishes (its own lines, such as the
 *                  commands it runs, and the guest's output), since they may travel on no topic but this one
 */
public record JobRequested(String jobId, String runId, Profile profile, Map<String, String> labels, Instant requestedAt,
        Map<String, ArtifactSpec> artifacts, List<String> secrets)
        implements JobMessage {

    public JobRequested(String jobId, String runId, Profile profile, Map<String, String> labels, Instant requestedAt) {
        this(jobId, runId, profile, labels, requestedAt, Map.of(), List.of());
    }

    public JobRequested(String jobId, String runId, Profile profile, Map<String, String> labels, Instant requestedAt,
                        Map<String, ArtifactSpec> artifacts) {
        this(jobId, runId, profile, labels, requestedAt, artifacts, List.of());
    }

    public JobRequested {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(requestedAt, "requestedAt");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        artifacts = artifacts == null ? Map.of() : Map.copyOf(artifacts);
        secrets = secrets == null ? List.of() : List.copyOf(secrets);
    }

    @Override
    public String toString() {
        // The profile may hold secret values and so do the secrets: a log line names the job, never its content.
        return "JobRequested[jobId=" + jobId + ", runId=" + runId + ", profile=" + profile.name() + ", artifacts="
                + artifacts.keySet() + ", secrets=" + secrets.size() + "]";
    }
}
