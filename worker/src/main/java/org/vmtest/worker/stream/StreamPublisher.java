package org.vmtest.worker.stream;

import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.stream.Line;
import org.vmtest.protocol.stream.StreamEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.worker.WorkerMetrics;

/**
 * The worker's one producer for {@code vmtest.stream}: idempotent, lingering at most a couple of milliseconds so
 * the analyzer sees a line almost as soon as the guest printed it. Hands out a {@link JobStream} per job attempt.
 */
public final class StreamPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamPublisher.class);
    private static final JsonSerde<StreamEvent> SERDE = JsonSerde.of(StreamEvent.class);

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final InstantSource clock;
    private final AtomicLong failures = new AtomicLong();
    private final WorkerMetrics metrics;
    private final AutoCloseable producerMetrics;

    public StreamPublisher(KafkaSettings kafka, String clientId, InstantSource clock, WorkerMetrics metrics) {
        this(new KafkaProducer<>(kafka.producer(clientId)), kafka.topics().stream(), clock, metrics);
    }

    StreamPublisher(Producer<String, byte[]> producer, String topic, InstantSource clock, WorkerMetrics metrics) {
        this.producer = producer;
        this.topic = topic;
        this.clock = clock;
        this.metrics = metrics;
        this.producerMetrics = metrics.producer(producer, failures);
    }

    public JobStream open(String jobId, String runId, int attempt) {
        return new JobStream(this::send, jobId, runId, attempt, clock);
    }

    void send(String jobId, StreamEvent event) {
        if (event instanceof Line line) metrics.line(line.source(), line.continued());
        producer.send(new ProducerRecord<>(topic, jobId, SERDE.encode(event)), (meta, error) -> {
            if (error != null) {
                failures.incrementAndGet();
                LOG.error("cannot publish {} of job {} to {}: {}", event.getClass().getSimpleName(), jobId, topic,
                        error.toString());
            }
        });
    }

    /** For the worker's other records (heartbeats, dead letters): same producer, another topic. */
    public void publish(String otherTopic, String key, byte[] value) {
        producer.send(new ProducerRecord<>(otherTopic, key, value), (meta, error) -> {
            if (error != null) {
                failures.incrementAndGet();
                LOG.error("cannot publish to {} (key {}): {}", otherTopic, key, error.toString());
            }
        });
    }

    /** Records the producer could not deliver; a healthy worker keeps this at zero. */
    public long failures() {
        return failures.get();
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        try {
            producerMetrics.close();
        } catch (Exception e) {
            LOG.warn("closing the producer's metrics: {}", e.toString());
        }
        producer.close(java.time.Duration.ofSeconds(10));
    }

}
