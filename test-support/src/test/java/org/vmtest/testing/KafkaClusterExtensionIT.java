package org.vmtest.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.kafka.Topics;

class KafkaClusterExtensionIT {
    @RegisterExtension
    static final KafkaClusterExtension kafka = new KafkaClusterExtension();

    @Test
    void createsTheTopicCatalogueUnderThisClassesPrefix() throws Exception {
        List<String> created = kafka.createTopics();

        assertThat(created).containsExactlyInAnyOrderElementsOf(
                kafka.topics().specs(1, (short) 1).stream().map(Topics.TopicSpec::name).toList());
        try (Admin admin = kafka.admin()) {
            // Created topics reach the broker's metadata shortly after the controller has acknowledged them.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).containsAll(created));
        }
        assertThat(kafka.topics().jobs()).startsWith(kafka.topicPrefix() + ".");
    }

    @Test
    void aProducedRecordIsConsumedFromTheBeginning() {
        String topic = kafka.topicPrefix() + ".roundtrip";
        kafka.createTopic(topic, 2);
        kafka.produce(topic, "k1", "v1".getBytes(StandardCharsets.UTF_8));
        kafka.produce(topic, "k2", "v2".getBytes(StandardCharsets.UTF_8));

        List<ConsumerRecord<String, byte[]>> records = kafka.consumeAll(topic, 2, Duration.ofSeconds(30));

        assertThat(records).extracting(ConsumerRecord::key).containsExactlyInAnyOrder("k1", "k2");
    }

    @Test
    void consumingFewerRecordsThanExpectedFailsNamingTheTopic() {
        String topic = kafka.topicPrefix() + ".empty";
        kafka.createTopic(topic, 1);

        assertThatThrownBy(() -> kafka.consumeAll(topic, 1, Duration.ofMillis(500)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining(topic)
                .hasMessageContaining("got 0");
    }

    @Test
    void settingsCarryTheClassesPrefixAndTheSharedBroker(KafkaSettings settings) {
        assertThat(settings.topics().prefix()).isEqualTo(kafka.topicPrefix());
        assertThat(settings.bootstrapServers()).isEqualTo(kafka.bootstrapServers());
        assertThat(new KafkaClusterExtension().topicPrefix()).isNotEqualTo(kafka.topicPrefix());
    }
}
