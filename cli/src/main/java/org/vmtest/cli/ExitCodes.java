package org.vmtest.cli;

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
}
