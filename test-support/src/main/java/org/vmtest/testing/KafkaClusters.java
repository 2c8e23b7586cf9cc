package org.vmtest.testing;

import java.util.Locale;
import java.util.Map;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.vmtest.kafka.embedded.EmbeddedKafka;

/**
 * Chooses the cluster the tests run against, from the environment (or system properties of the same name):
 * <ul>
 *   <li>{@value #BOOTSTRAP}: an external cluster at that address;</li>
 *   <li>{@value #KIND}{@code =testcontainers}: a Kafka container (needs a Docker engine, image from
 *       {@value #IMAGE}, default {@value #DEFAULT_IMAGE});</li>
 *   <li>otherwise (or {@value #KIND}{@code =embedded}): an {@link EmbeddedKafka} broker in this JVM.</li>
 * </ul>
 */
final class KafkaClusters {
    static final String BOOTSTRAP = "VMTEST_TEST_BOOTSTRAP";
    static final String KIND = "VMTEST_TEST_KAFKA";
    static final String IMAGE = "VMTEST_TEST_KAFKA_IMAGE";
    static final String DEFAULT_IMAGE = "apache/kafka:4.4.0";

    private KafkaClusters() {
    }

    static KafkaCluster start() {
        String bootstrap = setting(BOOTSTRAP);
        if (bootstrap != null) {
            return new KafkaCluster.External(bootstrap);
        }
        String kind = setting(KIND);
        if (kind == null || kind.toLowerCase(Locale.ROOT).equals("embedded")) {
            return new KafkaCluster.Embedded(EmbeddedKafka.builder().start());
        }
        if (kind.toLowerCase(Locale.ROOT).equals("testcontainers")) {
            return startContainer();
        }
        throw new IllegalStateException(KIND + "=" + kind + " is not a known cluster kind: use 'embedded' or"
                + " 'testcontainers' (or set " + BOOTSTRAP + " to use an external cluster)");
    }

    private static KafkaCluster startContainer() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new IllegalStateException(KIND + "=testcontainers asks for a Kafka container, but no Docker engine"
                    + " is reachable (check DOCKER_HOST or the Docker socket); unset " + KIND
                    + " to test against the embedded broker");
        }
        String image = setting(IMAGE) == null ? DEFAULT_IMAGE : setting(IMAGE);
        KafkaContainer container = new KafkaContainer(image);
        // The same lowered bounds as the embedded broker, so tests may use short share-group locks and sessions.
        Map.of(
                "KAFKA_GROUP_SHARE_MIN_RECORD_LOCK_DURATION_MS", "1000",
                "KAFKA_GROUP_SHARE_MIN_HEARTBEAT_INTERVAL_MS", "500",
                "KAFKA_GROUP_SHARE_HEARTBEAT_INTERVAL_MS", "1000",
                "KAFKA_GROUP_SHARE_MIN_SESSION_TIMEOUT_MS", "3000",
                "KAFKA_GROUP_CONSUMER_MIN_HEARTBEAT_INTERVAL_MS", "500",
                "KAFKA_GROUP_CONSUMER_MIN_SESSION_TIMEOUT_MS", "3000",
                "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1",
                "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", "1",
                "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0").forEach(container::withEnv);
        container.start();
        return new KafkaCluster.Container(container);
    }

    private static String setting(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) value = System.getenv(name);
        return value == null || value.isBlank() ? null : value.strip();
    }
}
