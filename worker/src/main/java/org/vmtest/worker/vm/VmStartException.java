package org.vmtest.worker.vm;

/** The VM could not be started: an infrastructure problem, not the profile's product failing. */
public final class VmStartException extends Exception {
    private final boolean mayRetryElsewhere;

    public VmStartException(String message, Throwable cause) {
        this(message, cause, true);
    }

    public VmStartException(String message) {
        this(message, null, true);
    }

    /**
     * @param mayRetryElsewhere false when another worker would fail the same way (an artifact whose sha256 does not
     *                          match, one over the size cap): such a job must not go to another worker
     */
    public VmStartException(String message, Throwable cause, boolean mayRetryElsewhere) {
        super(message, cause);
        this.mayRetryElsewhere = mayRetryElsewhere;
    }

    /** Whether the problem may be this host's own (libvirt, disk, network), so that another worker could succeed. */
    public boolean mayRetryElsewhere() {
        return mayRetryElsewhere;
    }
}
