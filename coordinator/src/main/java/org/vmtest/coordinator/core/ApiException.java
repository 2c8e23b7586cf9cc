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

    /** This coordinator has not yet read {@code what} from Kafka; it would answer wrongly, so it answers 503. */
    public static ApiException stillReading(String what, String progress) {
        return new ApiException(503, "this coordinator is still reading " + what + " from Kafka (" + progress
                + "); retry shortly", null);
    }

    public int status() {
        return status;
    }

    public String field() {
        return field;
    }
}
