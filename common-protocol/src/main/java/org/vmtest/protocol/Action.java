package org.vmtest.protocol;

/** What the analyzer does about a finding. */
public enum Action {
    /** Destroy the VM now: nothing useful can follow. */
    ABORT,
    /** Let the job run on, but its verdict is FAILED. */
    FAIL,
    /** Record it; it does not change the verdict. */
    NOTE
}
