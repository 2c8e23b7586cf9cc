package org.vmtest.coordinator.resources;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.util.List;
import org.vmtest.coordinator.api.WorkerView;
import org.vmtest.coordinator.auth.Scope;
import org.vmtest.coordinator.core.ApiException;
import org.vmtest.coordinator.state.InitialLoad;
import org.vmtest.coordinator.state.WorkerRegistry;

/** {@code /api/v1/workers}: every worker's last heartbeat. */
@Path("v1/workers")
@Produces(MediaType.APPLICATION_JSON)
public final class WorkersResource {
    private final WorkerRegistry workers;
    private final InitialLoad initialLoad;
    private final Clock clock;

    public WorkersResource(WorkerRegistry workers, InitialLoad initialLoad, Clock clock) {
        this.workers = workers;
        this.initialLoad = initialLoad;
        this.clock = clock;
    }

    @GET
    @RolesAllowed(Scope.READ)
    public List<WorkerView> list() {
        if (!initialLoad.awaitForRequest()) {
            throw ApiException.stillReading("worker heartbeats", initialLoad.progress());
        }
        return workers.list(clock.instant());
    }
}
