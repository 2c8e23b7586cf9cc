package org.vmtest.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.kafka.Partitions;

class EmbeddedKafkaProcessIT {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaProcessIT.class);

    @Test
    void anAcknowledgedRecordSurvivesSigkillAndRestartOnTheSameAddress() throws Exception {
        try (EmbeddedKafkaProcess broker = EmbeddedKafkaProcess.start()) {
            String address = broker.bootstrapServers();
            KafkaSettings settings = KafkaSettings.of(address).withTopicPrefix("crash");
            String topic = settings.topics().jobs();
            try (Admin admin = Admin.create(settings.admin("it-admin"))) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings.producer("it-producer"))) {
                producer.send(new ProducerRecord<>(topic, "job-1", "before the crash".getBytes(StandardCharsets.UTF_8)))
                        .get(30, TimeUnit.SECONDS);
            }
            long pid = broker.pid();

            broker.kill();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            long restarting = System.nanoTime();
            broker.restart();
            LOG.info("Kafka process restart after SIGKILL: {} ms", Duration.ofNanos(System.nanoTime() - restarting).toMillis());

            assertThat(broker.bootstrapServers()).isEqualTo(address);
            assertThat(broker.pid()).isNotEqualTo(pid);
            assertThat(readAll(settings, topic, 1)).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                    .containsExactly("before the crash");
        }
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(KafkaSettings settings, String topic, int count) {
        var props = settings.assignedConsumer("it-reader");
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            Partitions.assignAll(consumer, topic, Partitions.From.BEGINNING, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
