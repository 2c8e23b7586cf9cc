package org.vmtest.coordinator.core;

/**
 * A request the coordinator refuses, with the HTTP status to answer and the request field at fault (null when no
 * single field is). Thrown by the domain, turned into an {@code ApiError} body at the HTTP edge.
 */
public class ApiException extends RuntimeException {
    private final int status;
    private final String field;

    public ApiException(int status, String message, String field) {
        super(message);
        this.status = status;
        this.field = field;
    }

    public static ApiException badRequest(String message, String field) {
        return new ApiException(400, message, field);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, message, null);
    }

    public int status() {
        return status;
    }

    public String field() {
        return field;
    }
}
