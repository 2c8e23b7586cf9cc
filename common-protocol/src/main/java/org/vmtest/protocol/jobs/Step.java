package org.vmtest.protocol.jobs;

import java.time.Duration;
import java.util.Objects;

/** One installation command run in the guest over SSH; a non-zero exit fails the installation. */
public record Step(String name, String run, Duration timeout) {
    public Step {
        Objects.requireNonNull(run, "step.run");
        if (run.isBlank()) throw new IllegalArgumentException("step.run must not be blank");
        if (name == null || name.isBlank()) name = run;
        if (timeout == null) timeout = Duration.ofMinutes(10);
    }
}
