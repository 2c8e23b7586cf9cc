package org.vmtest.protocol.verdicts;

import java.util.Objects;

/**
 * One result a test reported about itself (a TAP test point, a JUnit testcase).
 *
 * @param message why it failed (TAP's description or YAML message, JUnit's failure message); empty when it passed
 * @param skipped TAP {@code # SKIP} or JUnit {@code <skipped/>}: counts as passed
 */
public record SubtestResult(String name, boolean passed, boolean skipped, String message) {
    public SubtestResult {
        Objects.requireNonNull(name, "name");
        if (message == null) message = "";
    }
}
