package org.vmtest.coordinator.health;

import com.codahale.metrics.health.HealthCheck;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;

/** Healthy when the Kafka cluster answers a describe-cluster request within the timeout. */
public final class KafkaHealthCheck extends HealthCheck {
    private final Admin admin;
    private final Duration timeout;

    public KafkaHealthCheck(Admin admin, Duration timeout) {
        this.admin = admin;
        this.timeout = timeout;
    }

    @Override
    protected Result check() throws InterruptedException {
        try {
            Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
                    .nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return Result.healthy("%d broker(s) reachable", nodes.size());
        } catch (ExecutionException | TimeoutException e) {
            return Result.unhealthy("Kafka did not answer within " + timeout.toMillis() + " ms: " + e.getMessage());
        }
    }
}
