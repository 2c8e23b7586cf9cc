package org.vmtest.protocol.jobs;

import java.time.Duration;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A declarative test: run a command in the guest, expect an exit code and optionally a pattern in its output; or
 * an exchange on the serial console that passes when its {@code expect} appears in time.
 *
 * @param expectOutput a regular expression searched for in stdout+stderr; null to check the exit code only
 * @param results      what its standard output reports besides the exit code: {@code tap} (TAP 13, each test
 *                     point a subtest); null for nothing
 * @param console      the console exchange; null for a command
 */
public record TestSpec(String name, String run, int expectExit, String expectOutput, Duration timeout,
                       Results results, ConsoleStep console) {
    /** Formats a test's output may report subtests in. */
    public enum Results { TAP }

    /** A command test whose output reports subtests in {@code results}. */
    public TestSpec(String name, String run, int expectExit, String expectOutput, Duration timeout, Results results) {
        this(name, run, expectExit, expectOutput, timeout, results, null);
    }

    /** A console test ({@code run} null) or a command test ({@code console} null). */
    public TestSpec(String name, String run, int expectExit, String expectOutput, Duration timeout, ConsoleStep console) {
        this(name, run, expectExit, expectOutput, timeout, null, console);
    }

    public TestSpec {
        if ((run == null) == (console == null)) throw new IllegalArgumentException("a test needs either run or console");
        if (run != null && run.isBlank()) throw new IllegalArgumentException("test.run must not be blank");
        if (console != null && console.expect() == null) {
            throw new IllegalArgumentException("a console test needs console.expect: what shows that it passed");
        }
        if (name == null || name.isBlank()) name = run != null ? run : console.describe();
        if (timeout == null) timeout = console != null ? console.timeout() : Duration.ofMinutes(2);
        if (expectOutput != null) {
            try {
                Pattern.compile(expectOutput);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("test '" + name + "': expectOutput is not a valid regex: " + e.getDescription());
            }
        }
    }

    /** A command test. */
    public TestSpec(String name, String run, int expectExit, String expectOutput, Duration timeout) {
        this(name, run, expectExit, expectOutput, timeout, null, null);
    }
}
