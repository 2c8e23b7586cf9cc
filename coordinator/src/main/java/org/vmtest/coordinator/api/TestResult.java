package org.vmtest.coordinator.api;

import java.util.Objects;

/** One declarative test of a job's profile, once it ended. */
public record TestResult(String name, boolean passed, long durationMillis) {
    public TestResult {
        Objects.requireNonNull(name, "name");
    }
}
