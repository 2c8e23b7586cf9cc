package org.vmtest.protocol.jobs;

import java.time.Duration;

/**
 * One installation step: a command run in the guest over SSH (a non-zero exit fails the installation), or an
 * exchange on the serial console (its {@code expect} not appearing in time fails it).
 *
 * @param run     the shell command; null for a console step
 * @param timeout how long {@code run} may take (a console step has its own)
 * @param console the console exchange; null for a command
 */
public record Step(String name, String run, Duration timeout, ConsoleStep console) {
    public Step {
        if ((run == null) == (console == null)) throw new IllegalArgumentException("a step needs either run or console");
        if (run != null && run.isBlank()) throw new IllegalArgumentException("step.run must not be blank");
        if (name == null || name.isBlank()) name = run != null ? run : console.describe();
        if (timeout == null) timeout = console != null ? console.timeout() : Duration.ofMinutes(10);
    }

    /** A command step. */
    public Step(String name, String run, Duration timeout) {
        this(name, run, timeout, null);
    }
}
