package org.vmtest.coordinator.resources;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Refuses request bodies over the limit with 413, whether or not the client announced their length. */
@PreMatching
public final class RequestSizeLimit implements ContainerRequestFilter {
    private final int maxBytes;

    public RequestSizeLimit(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public void filter(ContainerRequestContext request) throws IOException {
        if (!request.hasEntity()) return;
        if (request.getLength() > maxBytes) {
            request.abortWith(ErrorMappers.error(413, "request body larger than " + maxBytes + " bytes", "body"));
            return;
        }
        InputStream in = request.getEntityStream();
        byte[] body = in.readNBytes(maxBytes + 1);
        if (body.length > maxBytes) {
            request.abortWith(ErrorMappers.error(413, "request body larger than " + maxBytes + " bytes", "body"));
            return;
        }
        request.setEntityStream(new ByteArrayInputStream(body));
    }
}
