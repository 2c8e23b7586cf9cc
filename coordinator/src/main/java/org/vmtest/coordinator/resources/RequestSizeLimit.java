package org.vmtest.coordinator.resources;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Refuses request bodies over the limit with 413, whether or not the client announced their length. It runs after
 * authentication and authorization (a later priority than both): a caller without a valid token gets its 401 or 403
 * at once, and the coordinator never reads, buffers or drains a stranger's body.
 */
@Priority(Priorities.ENTITY_CODER)
public final class RequestSizeLimit implements ContainerRequestFilter {
    private static final long DRAIN_LIMIT = 64L * 1024 * 1024;
    private final int maxBytes;

    public RequestSizeLimit(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public void filter(ContainerRequestContext request) throws IOException {
        if (!request.hasEntity()) return;
        InputStream in = request.getEntityStream();
        byte[] body = request.getLength() > maxBytes ? new byte[maxBytes + 1] : in.readNBytes(maxBytes + 1);
        if (body.length > maxBytes) {
            // Read on (up to a bound) before answering: a client still sending would see a reset, not the 413.
            drain(in);
            request.abortWith(ErrorMappers.error(413, "request body larger than " + maxBytes + " bytes", "body"));
            return;
        }
        request.setEntityStream(new ByteArrayInputStream(body));
    }

    private static void drain(InputStream in) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        for (int n; total < DRAIN_LIMIT && (n = in.read(buffer)) >= 0; ) total += n;
    }
}
