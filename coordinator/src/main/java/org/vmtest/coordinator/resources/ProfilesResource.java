package org.vmtest.coordinator.resources;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.vmtest.coordinator.api.ProfileList;
import org.vmtest.coordinator.auth.Scope;
import org.vmtest.coordinator.core.ApiException;
import org.vmtest.coordinator.core.ProfileCatalogue;
import org.vmtest.protocol.jobs.Profile;

/** {@code /api/v1/profiles}: the catalogue, with the files that did not load. */
@Path("v1/profiles")
@Produces(MediaType.APPLICATION_JSON)
public final class ProfilesResource {
    private final ProfileCatalogue catalogue;

    public ProfilesResource(ProfileCatalogue catalogue) {
        this.catalogue = catalogue;
    }

    @GET
    @RolesAllowed(Scope.READ)
    public ProfileList list() {
        return catalogue.list();
    }

    @GET
    @Path("{name}")
    @RolesAllowed(Scope.READ)
    public Profile get(@PathParam("name") String name) {
        return catalogue.get(name).orElseThrow(() -> ApiException.notFound("no profile '" + name + "'"));
    }
}
