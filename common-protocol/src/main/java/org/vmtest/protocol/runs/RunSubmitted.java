package org.vmtest.protocol.runs;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A run was accepted: written in the same transaction as its jobs' {@code JobRequested} records.
 *
 * @param jobs the run's jobs, in the order the profiles were asked for
 */
public record RunSubmitted(String runId, Instant time, List<JobRef> jobs, Map<String, String> labels)
        implements RunCommand {

    /** One job of the run and the profile it runs. */
    public record JobRef(String jobId, String profile) {
        public JobRef {
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(profile, "profile");
        }
    }

    public RunSubmitted {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(time, "time");
        jobs = jobs == null ? List.of() : List.copyOf(jobs);
        if (jobs.isEmpty()) throw new IllegalArgumentException("a run needs at least one job");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
