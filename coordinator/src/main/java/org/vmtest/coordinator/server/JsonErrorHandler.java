package org.vmtest.coordinator.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.vmtest.coordinator.api.ApiError;
import org.vmtest.protocol.codec.Json;

/**
 * Jetty's answer to whatever never reaches Jersey (a malformed request line or URI, a bad %-escape, headers too
 * large, a path outside the API, an error while sending a file), as the same {@link ApiError} JSON the API gives:
 * Jetty's own handler answers with an HTML page, and with no body at all for methods other than GET, POST and HEAD.
 */
public final class JsonErrorHandler extends ErrorHandler {
    private static final HttpField JSON = new HttpField(HttpHeader.CONTENT_TYPE, "application/json");

    public JsonErrorHandler() {
        setShowStacks(false);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus() < 400 ? 500 : response.getStatus();
        Object message = request.getAttribute(ERROR_MESSAGE);
        generateCacheControl(response);
        response.getHeaders().put(JSON);
        response.write(true, ByteBuffer.wrap(body(status, message instanceof String s ? s : null)), callback);
        return true;
    }

    /** Requests Jetty's parser refuses before any handler runs (bad request line, header too large). */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(JSON);
        return ByteBuffer.wrap(body(status, reason));
    }

    static byte[] body(int status, String reason) {
        // A server error's detail is for the log, not for the client.
        String message = status >= 500 || reason == null || reason.isBlank() ? HttpStatus.getMessage(status) : reason;
        try {
            return Json.mapper().writeValueAsBytes(new ApiError(status, message));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an ApiError always serializes", e);
        }
    }
}
