package org.vmtest.testing.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.vmtest.protocol.codec.Decoded;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.kafka.Partitions;
import org.vmtest.protocol.verdicts.JobVerdict;
import org.vmtest.protocol.verdicts.RunVerdict;
import org.vmtest.protocol.verdicts.VerdictEvent;

/**
 * Reads a whole topic as it is now (from the beginning to the end offsets of this moment), without a consumer
 * group, so a test can count what the services wrote: verdicts, dead letters, stream lines.
 */
public final class TopicReader {
    private static final JsonSerde<VerdictEvent> VERDICTS = JsonSerde.of(VerdictEvent.class);

    private final KafkaSettings settings;

    public TopicReader(KafkaSettings settings) {
        this.settings = settings;
    }

    /** Every record of the topic up to its current end. */
    public List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        Properties props = settings.assignedConsumer("system-test-reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions =
                    Partitions.assignAll(consumer, topic, Partitions.From.BEGINNING, Duration.ofSeconds(30));
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!reached(consumer, end) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    private static boolean reached(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> end) {
        for (var e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) return false;
        }
        return true;
    }

    /** Decodes every record of the topic with {@code decode}; undecodable ones are left out. */
    public <T> List<T> decodeAll(String topic, Function<byte[], Decoded<T>> decode) {
        List<T> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : readAll(topic)) {
            if (decode.apply(r.value()) instanceof Decoded.Ok<T> ok) out.add(ok.value());
        }
        return out;
    }

    /** Every verdict-topic event (Finding, Thought, JobVerdict, RunVerdict) there is now. */
    public List<VerdictEvent> verdictEvents() {
        return decodeAll(settings.topics().verdicts(), VERDICTS::decode);
    }

    public List<JobVerdict> jobVerdicts(String runId) {
        return verdictEvents().stream().filter(JobVerdict.class::isInstance).map(JobVerdict.class::cast)
                .filter(v -> v.runId().equals(runId)).toList();
    }

    public List<RunVerdict> runVerdicts(String runId) {
        return verdictEvents().stream().filter(RunVerdict.class::isInstance).map(RunVerdict.class::cast)
                .filter(v -> v.runId().equals(runId)).toList();
    }

    /** How many records the dead-letter topic holds now. */
    public int deadLetterCount() {
        return readAll(settings.topics().dlq()).size();
    }
}
