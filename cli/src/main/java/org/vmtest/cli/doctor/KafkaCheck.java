package org.vmtest.cli.doctor;

import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.vmtest.protocol.kafka.KafkaSettings;

/** Whether the Kafka cluster the services would use answers. */
final class KafkaCheck {
    private KafkaCheck() {
    }

    static Check reachable(KafkaSettings settings) {
        String bootstrapServers = settings.bootstrapServers();
        var props = settings.admin("vmtest-doctor");
        props.put("request.timeout.ms", "5000");
        props.put("default.api.timeout.ms", "8000");
        long start = System.nanoTime();
        try (Admin admin = Admin.create(props)) {
            DescribeClusterResult cluster = admin.describeCluster(new DescribeClusterOptions().timeoutMs(8000));
            int brokers = cluster.nodes().get(10, TimeUnit.SECONDS).size();
            String id = cluster.clusterId().get(10, TimeUnit.SECONDS);
            long ms = (System.nanoTime() - start) / 1_000_000;
            return Check.ok("kafka", bootstrapServers + " answers: cluster " + id + ", " + brokers + " broker(s), "
                    + ms + " ms");
        } catch (Exception e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return Check.fail("kafka", bootstrapServers + " does not answer: " + cause.getMessage(),
                    "start the cluster, check bootstrapServers; " + org.vmtest.cli.kafka.KafkaOptions.HINT
                            + "; for one machine `vmtest dev` runs an embedded broker");
        }
    }
}
