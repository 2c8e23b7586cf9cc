package org.vmtest.protocol.verdicts;

import java.util.List;
import java.util.Objects;

/**
 * One declarative test of the job as the verdict weighs it: passed only when its command did and every subtest it
 * reported did.
 *
 * @param reason   why it failed, in words (the failing subtest's name and message first); empty when it passed
 * @param subtests what the test reported about itself ({@code results: tap}); empty when it reported nothing
 */
public record TestOutcome(String name, boolean passed, String reason, List<SubtestResult> subtests) {
    public TestOutcome {
        Objects.requireNonNull(name, "name");
        if (reason == null) reason = "";
        subtests = subtests == null ? List.of() : List.copyOf(subtests);
    }
}
