package org.vmtest.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.FeatureMetadata;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.codec.Decoded;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.stream.Line;
import org.vmtest.protocol.stream.StreamEvent;

class EmbeddedKafkaIT {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaIT.class);
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.builder().start();
        LOG.info("embedded Kafka start time: {} ms", kafka.startTime().toMillis());
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void aStreamEventMakesTheRoundTripThroughTheBroker() throws Exception {
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers()).withTopicPrefix("roundtrip");
        String topic = settings.topics().stream();
        createTopic(topic);
        JsonSerde<StreamEvent> serde = JsonSerde.of(StreamEvent.class);
        Line line = new Line("job-1", 1, 1, LineSource.CONSOLE, Phase.INSTALLATION, Instant.parse("2025-01-01T00:00:00Z"),
                "[    0.000000] Linux version 6.1.0", false);

        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings.producer("it-producer"))) {
            producer.send(new ProducerRecord<>(topic, line.jobId(), serde.encode(line))).get(30, TimeUnit.SECONDS);
        }

        List<ConsumerRecord<String, byte[]>> received = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(settings.consumer("it-consumer", "it-group"))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (received.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
            }
        }
        assertThat(received).hasSize(1);
        assertThat(received.get(0).key()).isEqualTo("job-1");
        assertThat(serde.decode(received.get(0).value())).isEqualTo(new Decoded.Ok<StreamEvent>(line));
    }

    @Test
    void shareGroupsAreEnabled() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            FeatureMetadata features = admin.describeFeatures().featureMetadata().get(30, TimeUnit.SECONDS);
            assertThat(features.finalizedFeatures().get("share.version").maxVersionLevel()).isGreaterThanOrEqualTo((short) 1);
        }
    }

    @Test
    void aTemporaryDataDirectoryIsDeletedOnClose() {
        EmbeddedKafka second = EmbeddedKafka.builder().start();
        Path dir = second.dataDir();
        assertThat(dir).isDirectory();
        second.close();
        assertThat(Files.exists(dir)).isFalse();
    }

    private static void createTopic(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }
}
