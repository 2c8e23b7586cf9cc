package org.vmtest.testing;

/** A Kafka cluster the tests of this JVM share: embedded, in a container, or external. */
sealed interface KafkaCluster extends AutoCloseable permits KafkaCluster.Embedded, KafkaCluster.Container,
        KafkaCluster.External {

    String bootstrapServers();

    /** For the log line that says which cluster the tests run against. */
    String description();

    @Override
    void close();

    record Embedded(org.vmtest.kafka.embedded.EmbeddedKafka kafka) implements KafkaCluster {
        @Override
        public String bootstrapServers() {
            return kafka.bootstrapServers();
        }

        @Override
        public String description() {
            return "embedded Kafka broker on " + kafka.bootstrapServers() + " (started in " + kafka.startTime().toMillis()
                    + " ms)";
        }

        @Override
        public void close() {
            kafka.close();
        }
    }

    record Container(org.testcontainers.kafka.KafkaContainer container) implements KafkaCluster {
        @Override
        public String bootstrapServers() {
            return container.getBootstrapServers();
        }

        @Override
        public String description() {
            return "Testcontainers Kafka (" + container.getDockerImageName() + ") on " + bootstrapServers();
        }

        @Override
        public void close() {
            container.stop();
        }
    }

    /** A cluster someone else runs: never stopped by the tests. */
    record External(String bootstrapServers) implements KafkaCluster {
        @Override
        public String description() {
            return "external Kafka cluster " + bootstrapServers;
        }

        @Override
        public void close() {
        }
    }
}
