package org.vmtest.coordinator.resources;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import org.vmtest.coordinator.api.FailureGroupList;
import org.vmtest.coordinator.api.ProfileStats;
import org.vmtest.coordinator.auth.Scope;
import org.vmtest.coordinator.core.FailureGroups;
import org.vmtest.coordinator.core.ProfileStatistics;

/** Views across runs, for triage: failures grouped by signature, and one profile's numbers. */
public final class TriageResources {
    private TriageResources() {
    }

    /** {@code /api/v1/failures?days=30}. */
    @Path("v1/failures")
    @Produces(MediaType.APPLICATION_JSON)
    public static final class Failures {
        private final FailureGroups groups;
        private final Clock clock;

        public Failures(FailureGroups groups, Clock clock) {
            this.groups = groups;
            this.clock = clock;
        }

        @GET
        @RolesAllowed(Scope.READ)
        public FailureGroupList list(@QueryParam("days") @DefaultValue("30") int days) {
            return groups.list(days, clock.instant());
        }
    }

    /** {@code /api/v1/profiles/{name}/stats?days=30}. */
    @Path("v1/profiles/{name}/stats")
    @Produces(MediaType.APPLICATION_JSON)
    public static final class Stats {
        private final ProfileStatistics stats;
        private final Clock clock;

        public Stats(ProfileStatistics stats, Clock clock) {
            this.stats = stats;
            this.clock = clock;
        }

        @GET
        @RolesAllowed(Scope.READ)
        public ProfileStats get(@PathParam("name") String name, @QueryParam("days") @DefaultValue("30") int days) {
            return stats.of(name, days, clock.instant());
        }
    }
}
