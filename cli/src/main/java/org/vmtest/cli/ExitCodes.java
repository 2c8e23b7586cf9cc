package org.vmtest.cli;

import org.vmtest.protocol.Verdict;

/** Exit codes CI scripts rely on. */
public final class ExitCodes {
    /** Everything passed. */
    public static final int OK = 0;
    /** A job failed or was aborted: the product is broken. */
    public static final int FAILED = 1;
    /** vmtest itself could not do its work (Kafka, libvirt, coordinator unreachable): says nothing of the product. */
    public static final int INFRASTRUCTURE = 2;
    /** The command line was wrong (sysexits' EX_USAGE). */
    public static final int USAGE = 64;

    private ExitCodes() {
    }

    /** A run's verdict as an exit code, the same for every command that waits for one (see docs/ci.md). */
    public static int of(Verdict runVerdict) {
        return switch (runVerdict) {
            case PASSED -> OK;
            case FAILED, ABORTED -> FAILED;
            case ERROR -> INFRASTRUCTURE;
        };
    }
}
