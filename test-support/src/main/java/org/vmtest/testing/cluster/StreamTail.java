package org.vmtest.testing.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.vmtest.protocol.codec.Decoded;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.kafka.Partitions;
import org.vmtest.protocol.stream.StreamEvent;

/**
 * Follows {@code <prefix>.stream} from the moment it is created, so a test can act the instant a job reaches a
 * point (e.g. kill its worker when installation starts) instead of polling the API, which lags behind the topic.
 * Not thread-safe: one test thread uses it.
 */
public final class StreamTail implements AutoCloseable {
    private static final JsonSerde<StreamEvent> SERDE = JsonSerde.of(StreamEvent.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<StreamEvent> seen = new ArrayList<>();

    public StreamTail(KafkaSettings settings) {
        Properties props = settings.assignedConsumer("system-test-stream-tail-" + UUID.randomUUID());
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20");
        consumer = new KafkaConsumer<>(props);
        Partitions.assignAll(consumer, settings.topics().stream(), Partitions.From.END, Duration.ofSeconds(30));
    }

    /** The first event (already seen or arriving within {@code timeout}) that {@code match} accepts. */
    public Optional<StreamEvent> await(Predicate<StreamEvent> match, Duration timeout) {
        for (StreamEvent e : seen) {
            if (match.test(e)) return Optional.of(e);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                if (SERDE.decode(r.value()) instanceof Decoded.Ok<StreamEvent> ok) {
                    seen.add(ok.value());
                    if (match.test(ok.value())) return Optional.of(ok.value());
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
