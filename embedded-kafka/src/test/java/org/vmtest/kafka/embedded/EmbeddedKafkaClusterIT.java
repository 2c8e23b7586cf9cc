package org.vmtest.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.protocol.kafka.KafkaSettings;

class EmbeddedKafkaClusterIT {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaClusterIT.class);

    @Test
    void threeNodesReplicateToAllAndKeepAcceptingWritesWhenTheActiveControllerIsKilled() throws Exception {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(3, null)) {
            assertThat(kafka.liveBrokerIds()).containsExactly(1, 2, 3);
            assertThat(kafka.quorum().voters()).hasSize(3);
            KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers()).withTopicPrefix("quorum");
            String topic = settings.topics().stream();
            try (Admin admin = Admin.create(settings.admin("it-admin"))) {
                // No explicit factor: the cluster's defaults must be 3 replicas, 2 in sync.
                admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty()))).all()
                        .get(30, TimeUnit.SECONDS);
                TopicDescription described = admin.describeTopics(List.of(topic)).allTopicNames()
                        .get(30, TimeUnit.SECONDS).get(topic);
                assertThat(described.partitions().get(0).replicas()).hasSize(3);
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
                assertThat(config.get("min.insync.replicas").value()).isEqualTo("2");
            }

            int controller = kafka.activeControllerId();
            kafka.kill(controller);
            long t0 = System.nanoTime();
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings.producer("it-producer"))) {
                producer.send(new ProducerRecord<>(topic, "k", "after the kill".getBytes(StandardCharsets.UTF_8)))
                        .get(60, TimeUnit.SECONDS);
            }
            LOG.info("first acks=all write after killing controller {}: {} ms", controller,
                    Duration.ofNanos(System.nanoTime() - t0).toMillis());
            int newController = kafka.activeControllerId();
            assertThat(newController).isNotEqualTo(controller).isIn(kafka.nodeIds());

            kafka.restart(controller);
            assertThat(kafka.liveBrokerIds()).containsExactly(1, 2, 3);
        }
    }
}
