package org.vmtest.coordinator.api;

import java.util.List;
import java.util.Objects;
import org.vmtest.protocol.verdicts.SubtestResult;

/**
 * One declarative test of a job's profile, once it ended. {@code passed}, {@code reason} and {@code subtests} are
 * the analyzer's once the job's verdict arrived: a failing subtest fails a test whose command exited as expected.
 */
public record TestResult(String name, boolean passed, long durationMillis, String reason,
                         List<SubtestResult> subtests) {
    public TestResult(String name, boolean passed, long durationMillis) {
        this(name, passed, durationMillis, "", List.of());
    }

    public TestResult {
        Objects.requireNonNull(name, "name");
        if (reason == null) reason = "";
        subtests = subtests == null ? List.of() : List.copyOf(subtests);
    }
}
