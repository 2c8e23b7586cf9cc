package org.vmtest.analyzer.stream;

import java.util.List;
import org.vmtest.protocol.stream.TestFinished;
import org.vmtest.protocol.verdicts.SubtestResult;
import org.vmtest.protocol.verdicts.TestOutcome;

/**
 * A test and the subtests it reported, weighed together: a failing subtest fails the test even when its command
 * exited as expected, and the failure names the subtest and its message.
 */
final class Subtests {
    private Subtests() {
    }

    static TestOutcome outcome(TestFinished t, List<SubtestResult> subtests) {
        SubtestResult failed = subtests.stream().filter(x -> !x.passed()).findFirst().orElse(null);
        if (failed == null) return new TestOutcome(t.name(), t.passed(), t.reason(), subtests);
        String reason = "subtest " + failed.name() + " failed" + (failed.message().isEmpty() ? "" : ": " + failed.message())
                + (t.reason().isEmpty() ? "" : "; " + t.reason());
        return new TestOutcome(t.name(), false, reason, subtests);
    }

    /** The name a failure title uses: the test, and the first failing subtest when one failed. */
    static String failedName(TestFinished t, TestOutcome outcome) {
        return firstFailed(outcome).map(f -> t.name() + " / " + f.name()).orElse(t.name());
    }

    static String failedReason(TestFinished t, TestOutcome outcome) {
        return firstFailed(outcome).map(SubtestResult::message).orElse(t.reason());
    }

    private static java.util.Optional<SubtestResult> firstFailed(TestOutcome outcome) {
        return outcome.subtests().stream().filter(x -> !x.passed()).findFirst();
    }
}
