package org.vmtest.protocol.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vmtest.testing.KafkaClusterExtension;

/** {@link Partitions} (common-protocol) against a real broker; here because the broker fixture lives here. */
class PartitionsIT {
    @RegisterExtension
    static final KafkaClusterExtension kafka = new KafkaClusterExtension();

    @Test
    void fromTheBeginningEveryPartitionsRecordsAreRead() {
        String topic = kafka.topicPrefix() + ".replay";
        kafka.createTopic(topic, 3);
        for (int i = 0; i < 12; i++) kafka.produce(topic, "k" + i, bytes("v" + i));

        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<TopicPartition> assigned = Partitions.assignAll(consumer, topic, Partitions.From.BEGINNING,
                    Duration.ofSeconds(30));

            assertThat(assigned).extracting(TopicPartition::partition).containsExactlyInAnyOrder(0, 1, 2);
            assertThat(keys(poll(consumer, 12))).hasSize(12).contains("k0", "k11");
        }
    }

    @Test
    void fromTheEndOnlyWhatIsWrittenAfterTheAssignmentIsRead() {
        String topic = kafka.topicPrefix() + ".follow";
        kafka.createTopic(topic, 3);
        for (int i = 0; i < 6; i++) kafka.produce(topic, "old" + i, bytes("before"));

        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            Partitions.assignAll(consumer, topic, Partitions.From.END, Duration.ofSeconds(30));
            // written before the first poll: still read, as the end was taken at the assignment
            for (int i = 0; i < 3; i++) kafka.produce(topic, "new" + i, bytes("after"));

            assertThat(keys(poll(consumer, 3))).containsExactlyInAnyOrder("new0", "new1", "new2");
        }
    }

    @Test
    void aTopicThatDoesNotExistHasNoPartitionsAndNothingIsAssigned() {
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<TopicPartition> assigned = Partitions.assignAll(consumer, kafka.topicPrefix() + ".missing",
                    Partitions.From.BEGINNING, Duration.ofSeconds(30));

            assertThat(assigned).isEmpty();
            assertThat(consumer.assignment()).isEmpty();
        }
    }

    private static KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(kafka.settings().assignedConsumer("partitions-it"));
    }

    /** Polls until {@code count} records came or 30 s passed, then a little longer to catch any extra one. */
    private static List<ConsumerRecord<String, byte[]>> poll(KafkaConsumer<String, byte[]> consumer, int count) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (records.size() < count && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        return records;
    }

    private static List<String> keys(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().map(ConsumerRecord::key).toList();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
