package org.vmtest.coordinator.health;

import com.codahale.metrics.health.HealthCheck;
import org.apache.kafka.streams.KafkaStreams;
import org.vmtest.coordinator.state.RunStateStreams;

/** Healthy while the run-state stream runs (or rebalances); unhealthy once it stopped or failed. */
public final class RunStateHealthCheck extends HealthCheck {
    private final RunStateStreams streams;

    public RunStateHealthCheck(RunStateStreams streams) {
        this.streams = streams;
    }

    @Override
    protected Result check() {
        KafkaStreams.State state = streams.state();
        return state.isRunningOrRebalancing() || state == KafkaStreams.State.CREATED
                ? Result.healthy("run-state stream %s", state)
                : Result.unhealthy("run-state stream " + state);
    }
}
