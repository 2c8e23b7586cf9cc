package org.vmtest.worker.vm;

/** The VM could not be started: an infrastructure problem, not the profile's product failing. */
public final class VmStartException extends Exception {
    public VmStartException(String message, Throwable cause) {
        super(message, cause);
    }

    public VmStartException(String message) {
        super(message);
    }
}
