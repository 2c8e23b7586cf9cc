package org.vmtest.coordinator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Every error the API answers: the HTTP status again, what is wrong, and the request field at fault if any. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(int code, String message, String field) {
    public ApiError(int code, String message) {
        this(code, message, null);
    }
}
