package org.vmtest.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.vmtest.protocol.codec.Decoded;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.kafka.Partitions;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.StreamEvent;

/** Reads {@code vmtest.stream} from the beginning on a thread of its own and keeps every event, for assertions. */
final class StreamWatcher implements AutoCloseable {
    private static final JsonSerde<StreamEvent> SERDE = JsonSerde.of(StreamEvent.class);

    private final List<StreamEvent> events = new CopyOnWriteArrayList<>();
    private final List<String> malformed = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean stop;

    StreamWatcher(KafkaSettings kafka) {
        Properties props = kafka.assignedConsumer("test-stream-watcher");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props);
        String topic = kafka.topics().stream();
        Partitions.assignAll(consumer, topic, Partitions.From.BEGINNING, Duration.ofSeconds(30));
        thread = new Thread(() -> {
            try (consumer) {
                while (!stop) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        Decoded<StreamEvent> d = SERDE.decode(r.value());
                        if (d instanceof Decoded.Ok<StreamEvent> ok) events.add(ok.value());
                        else malformed.add(((Decoded.Malformed<StreamEvent>) d).error());
                    }
                }
            }
        }, "stream-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    List<StreamEvent> of(String jobId) {
        List<StreamEvent> out = new ArrayList<>();
        for (StreamEvent e : events) if (e.jobId().equals(jobId)) out.add(e);
        return out;
    }

    <T extends StreamEvent> List<T> of(String jobId, Class<T> type) {
        return of(jobId).stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends StreamEvent> List<T> of(String jobId, Class<T> type, Predicate<T> filter) {
        return of(jobId, type).stream().filter(filter).toList();
    }

    JobFinished finished(String jobId) {
        List<JobFinished> f = of(jobId, JobFinished.class);
        return f.isEmpty() ? null : f.get(f.size() - 1);
    }

    List<String> malformed() {
        return List.copyOf(malformed);
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join(5000);
    }
}
