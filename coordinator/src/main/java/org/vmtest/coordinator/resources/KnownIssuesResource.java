package org.vmtest.coordinator.resources;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.vmtest.coordinator.api.KnownIssueList;
import org.vmtest.coordinator.api.PutKnownIssue;
import org.vmtest.coordinator.auth.Scope;
import org.vmtest.coordinator.core.ApiException;
import org.vmtest.coordinator.core.KnownIssueService;
import org.vmtest.protocol.issues.KnownIssue;

/** {@code /api/v1/known-issues}: failures someone already tracks; read scope lists, submit scope changes. */
@Path("v1/known-issues")
@Produces(MediaType.APPLICATION_JSON)
public final class KnownIssuesResource {
    private final KnownIssueService issues;

    public KnownIssuesResource(KnownIssueService issues) {
        this.issues = issues;
    }

    @GET
    @RolesAllowed(Scope.READ)
    public KnownIssueList list() {
        return new KnownIssueList(issues.list());
    }

    @GET
    @Path("{id}")
    @RolesAllowed(Scope.READ)
    public KnownIssue get(@PathParam("id") String id) {
        return issues.get(id).orElseThrow(() -> ApiException.notFound("no known issue '" + id + "'"));
    }

    @PUT
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Scope.SUBMIT)
    public KnownIssue put(@PathParam("id") String id,
                          @NotNull(message = "a JSON body is required") @Valid PutKnownIssue request) {
        return issues.put(id, request);
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed(Scope.SUBMIT)
    public Response delete(@PathParam("id") String id) {
        if (!issues.delete(id)) throw ApiException.notFound("no known issue '" + id + "'");
        return Response.noContent().build();
    }
}
