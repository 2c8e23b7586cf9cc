package org.vmtest.protocol.jobs;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A job for any worker: run this profile once, as part of this run.
 *
 * @param profile   the profile with the run's variables already substituted
 * @param artifacts the run's artifacts this job's profile names as {@code artifact:NAME}, by name
 */
public record JobRequested(String jobId, String runId, Profile profile, Map<String, String> labels, Instant requestedAt,
        Map<String, ArtifactSpec> artifacts)
        implements JobMessage {

    public JobRequested(String jobId, String runId, Profile profile, Map<String, String> labels, Instant requestedAt) {
        this(jobId, runId, profile, labels, requestedAt, Map.of());
    }

    public JobRequested {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(requestedAt, "requestedAt");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        artifacts = artifacts == null ? Map.of() : Map.copyOf(artifacts);
    }
}
