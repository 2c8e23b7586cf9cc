package org.vmtest.protocol.jobs;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/** A job for any worker: run this profile once, as part of this run. */
public record JobRequested(String jobId, String runId, Profile profile, Map<String, String> labels, Instant requestedAt)
        implements JobMessage {
    public JobRequested {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(requestedAt, "requestedAt");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
