package org.vmtest.cli.client;

/** The coordinator could not be reached or refused a request. */
public final class CoordinatorException extends RuntimeException {
    private final int status;

    public CoordinatorException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
    }

    public CoordinatorException(String message) {
        this(message, 0);
    }

    public CoordinatorException(String message, int status) {
        super(message);
        this.status = status;
    }

    /** The HTTP status, 0 when there was no answer. */
    public int status() {
        return status;
    }

    /** A 4xx answer: the request was wrong (usage), not the infrastructure. */
    public boolean clientError() {
        return status >= 400 && status < 500;
    }
}
