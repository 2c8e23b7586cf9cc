package org.vmtest.protocol.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.jobs.PatternSpec;

/**
 * A worker took the job. Carries what the analyzer needs from the profile, so the analyzer reads one topic only.
 *
 * @param accelerator the accelerator the VM really runs with ({@code kvm} or {@code tcg})
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
}
