package org.vmtest.coordinator.health;

import com.codahale.metrics.health.HealthCheck;
import org.vmtest.coordinator.state.InitialLoad;

/** Unhealthy until this coordinator has read the run state that existed when it started: it is not ready before. */
public final class InitialLoadHealthCheck extends HealthCheck {
    private final InitialLoad initialLoad;

    public InitialLoadHealthCheck(InitialLoad initialLoad) {
        this.initialLoad = initialLoad;
    }

    @Override
    protected Result check() {
        return initialLoad.isDone() ? Result.healthy(initialLoad.progress()) : Result.unhealthy(initialLoad.progress());
    }
}
