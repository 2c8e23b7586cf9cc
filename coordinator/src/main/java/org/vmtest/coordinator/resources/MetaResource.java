package org.vmtest.coordinator.resources;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;

/** Open endpoints for machines: Prometheus metrics and the OpenAPI document. */
@Path("v1")
public final class MetaResource {
    private final PrometheusMeterRegistry registry;

    public MetaResource(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @GET
    @Path("metrics")
    @Produces("text/plain; version=0.0.4; charset=utf-8")
    public String metrics() {
        return registry.scrape();
    }

    @GET
    @Path("openapi.yaml")
    @Produces("application/yaml")
    public Response openApi() throws IOException {
        try (InputStream in = MetaResource.class.getResourceAsStream("/openapi.yaml")) {
            if (in == null) return Response.status(404).build();
            return Response.ok(in.readAllBytes()).build();
        }
    }
}
