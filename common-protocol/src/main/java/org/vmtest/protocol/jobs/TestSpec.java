package org.vmtest.protocol.jobs;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A declarative test: run a command in the guest, expect an exit code and optionally a pattern in its output.
 *
 * @param expectOutput a regular expression searched for in stdout+stderr; null to check the exit code only
 * @param results      what its standard output reports besides the exit code: {@code tap} (TAP 13, each test
 *                     point a subtest); null for nothing
 */
public record TestSpec(String name, String run, int expectExit, String expectOutput, Duration timeout,
                       Results results) {
    /** Formats a test's output may report subtests in. */
    public enum Results { TAP }

    public TestSpec(String name, String run, int expectExit, String expectOutput, Duration timeout) {
        this(name, run, expectExit, expectOutput, timeout, null);
    }

    public TestSpec {
        Objects.requireNonNull(run, "test.run");
        if (run.isBlank()) throw new IllegalArgumentException("test.run must not be blank");
        if (name == null || name.isBlank()) name = run;
        if (timeout == null) timeout = Duration.ofMinutes(2);
        if (expectOutput != null) {
            try {
                Pattern.compile(expectOutput);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("test '" + name + "': expectOutput is not a valid regex: " + e.getDescription());
            }
        }
    }
}
