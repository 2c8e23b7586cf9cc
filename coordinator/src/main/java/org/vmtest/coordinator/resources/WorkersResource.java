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
import org.vmtest.coordinator.state.WorkerRegistry;

/** {@code /api/v1/workers}: every worker's last heartbeat. */
@Path("v1/workers")
@Produces(MediaType.APPLICATION_JSON)
public final class WorkersResource {
    private final WorkerRegistry workers;
    private final Clock clock;

    public WorkersResource(WorkerRegistry workers, Clock clock) {
        this.workers = workers;
        this.clock = clock;
    }

    @GET
    @RolesAllowed(Scope.READ)
    public List<WorkerView> list() {
        return workers.list(clock.instant());
    }
}
