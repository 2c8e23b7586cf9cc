package org.vmtest.protocol.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.jobs.PatternSpec;
import org.vmtest.protocol.jobs.Profile;

/**
 * A worker took the job. Carries what the analyzer needs from the profile, so the analyzer reads one topic only.
 *
 * <pre>{@code
 * JobStarted started = JobStarted.builder(jobId, runId, attempt).time(clock.instant()).profile(profile)
 *         .worker(workerId, accelerator).domain(domainName).build();
 * }</pre>
 *
 * @param accelerator the accelerator the VM really runs with ({@code kvm} or {@code tcg})
 * @param domain      the libvirt domain, empty when the job ended before it had one
 */
public record JobStarted(String jobId, int attempt, Instant time, String runId, String profile, String workerId,
                         String domain, String accelerator, Map<Phase, Duration> stallLimits,
                         List<PatternSpec> patterns) implements StreamEvent {
    public JobStarted {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(workerId, "workerId");
        if (attempt < 1) throw new IllegalArgumentException("attempt starts at 1, got " + attempt);
        stallLimits = stallLimits == null ? Map.of() : Map.copyOf(stallLimits);
        patterns = patterns == null ? List.of() : List.copyOf(patterns);
    }

    public static Builder builder(String jobId, String runId, int attempt) {
        return new Builder(jobId, runId, attempt);
    }

    /** Builds a {@link JobStarted}; the profile's name, stall limits and patterns come from {@link #profile}. */
    public static final class Builder {
        private final String jobId;
        private final String runId;
        private final int attempt;
        private Instant time;
        private String profile;
        private Map<Phase, Duration> stallLimits;
        private List<PatternSpec> patterns;
        private String workerId;
        private String accelerator;
        private String domain = "";

        private Builder(String jobId, String runId, int attempt) {
            this.jobId = jobId;
            this.runId = runId;
            this.attempt = attempt;
        }

        public Builder time(Instant time) {
            this.time = time;
            return this;
        }

        public Builder profile(Profile profile) {
            this.profile = profile.name();
            this.stallLimits = profile.stallLimits();
            this.patterns = profile.patterns();
            return this;
        }

        public Builder worker(String workerId, String accelerator) {
            this.workerId = workerId;
            this.accelerator = accelerator;
            return this;
        }

        public Builder domain(String domain) {
            this.domain = domain;
            return this;
        }

        public JobStarted build() {
            return new JobStarted(jobId, attempt, time, runId, profile, workerId, domain, accelerator, stallLimits,
                    patterns);
        }
    }
}
