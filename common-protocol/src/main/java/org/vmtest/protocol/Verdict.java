package org.vmtest.protocol;

/** The final word on a job or a run. */
public enum Verdict {
    /** Every phase completed and every test passed. */
    PASSED,
    /** The product failed: a test failed or a failure pattern matched. */
    FAILED,
    /** A critical finding or a user cancelled the job; the VM was destroyed early. */
    ABORTED,
    /** Infrastructure failed (VM could not start, worker lost, SSH never came up); says nothing about the product. */
    ERROR;

    /** The worse of two verdicts, for folding a run's job verdicts into one. */
    public Verdict worse(Verdict other) {
        return rank(other) > rank(this) ? other : this;
    }

    private static int rank(Verdict v) {
        return switch (v) {
            case PASSED -> 0;
            case FAILED -> 2;
            case ABORTED -> 3;
            case ERROR -> 1;
        };
    }
}
