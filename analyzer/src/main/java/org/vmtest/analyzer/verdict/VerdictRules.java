package org.vmtest.analyzer.verdict;

import java.util.Objects;
import org.vmtest.protocol.Verdict;

/**
 * Turns what the analyzer knows about a finished job into its {@link Verdict}. Pure: the same facts give the same
 * verdict, in the stream and in tests.
 *
 * <p>Order matters. Evidence from the product outranks the worker's view: an abort the analyzer ordered stays
 * ABORTED even if destroying the VM made the worker report ERROR, and a failure pattern the guest printed stays
 * FAILED even if the worker was lost afterwards. Failed tests, on the other hand, do not outrank an
 * infrastructure ERROR: a test whose SSH connection dropped with the worker says nothing about the product.
 */
public final class VerdictRules {
    private VerdictRules() {
    }

    /**
     * @param outcome      the worker's view ({@code JobFinished.outcome})
     * @param abortSent    the analyzer ordered an abort for this job
     * @param failFinding  a pattern with action FAIL matched
     * @param testsFailed  tests that did not pass
     * @param workerReason the worker's words about the outcome, quoted in the reason
     * @param evidence     title of the finding behind an abort or a failure pattern, quoted in the reason
     */
    public record Facts(Verdict outcome, boolean abortSent, boolean failFinding, int testsFailed, String workerReason,
                        String evidence) {
        public Facts {
            Objects.requireNonNull(outcome, "outcome");
            if (evidence == null) evidence = "";
            if (testsFailed < 0) throw new IllegalArgumentException("testsFailed must be >= 0, got " + testsFailed);
            if (workerReason == null) workerReason = "";
        }
    }

    /** The verdict and why, in one sentence a person reads. */
    public record Decision(Verdict verdict, String reason) {
        public Decision {
            Objects.requireNonNull(verdict, "verdict");
            Objects.requireNonNull(reason, "reason");
        }
    }

    public static Decision decide(Facts f) {
        if (f.abortSent()) {
            return new Decision(Verdict.ABORTED, f.evidence().isBlank()
                    ? "a critical finding made the analyzer abort the job" : "critical finding: " + f.evidence());
        }
        if (f.outcome() == Verdict.ABORTED) {
            return new Decision(Verdict.ABORTED, "the job was stopped early" + worker(f));
        }
        if (f.failFinding()) {
            return new Decision(Verdict.FAILED, f.evidence().isBlank()
                    ? "a failure pattern matched the job's output" : "failure pattern matched: " + f.evidence());
        }
        if (f.outcome() == Verdict.ERROR) {
            return new Decision(Verdict.ERROR, "infrastructure failed, not the product" + worker(f));
        }
        if (f.testsFailed() > 0) {
            return new Decision(Verdict.FAILED, f.testsFailed() + (f.testsFailed() == 1 ? " test" : " tests") + " failed");
        }
        if (f.outcome() == Verdict.FAILED) {
            return new Decision(Verdict.FAILED, "the worker reported a failure" + worker(f));
        }
        return new Decision(Verdict.PASSED, "every phase completed, no test failed and no failure pattern matched");
    }

    private static String worker(Facts f) {
        return f.workerReason().isBlank() ? "" : ": " + f.workerReason();
    }
}
