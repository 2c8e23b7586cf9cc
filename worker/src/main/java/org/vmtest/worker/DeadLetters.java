package org.vmtest.worker;

import java.time.InstantSource;
import java.util.Base64;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.dlq.DeadLetter;
import org.vmtest.worker.stream.StreamPublisher;

/** Sends records this worker cannot decode to {@code vmtest.dlq}, under their original key, and carries on. */
public final class DeadLetters {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
    private static final JsonSerde<DeadLetter> SERDE = JsonSerde.of(DeadLetter.class);

    private final StreamPublisher publisher;
    private final String topic;
    private final String consumer;
    private final InstantSource clock;
    private final WorkerMetrics metrics;

    public DeadLetters(StreamPublisher publisher, String topic, String consumer, InstantSource clock,
                       WorkerMetrics metrics) {
        this.publisher = publisher;
        this.topic = topic;
        this.consumer = consumer;
        this.clock = clock;
        this.metrics = metrics;
    }

    public void send(ConsumerRecord<String, byte[]> record, String error) {
        LOG.warn("record {}-{}@{} cannot be decoded, sent to {}: {}", record.topic(), record.partition(),
                record.offset(), topic, error);
        String value = record.value() == null ? "" : Base64.getEncoder().encodeToString(record.value());
        DeadLetter letter = new DeadLetter(record.topic(), record.partition(), record.offset(), consumer,
                clock.instant(), error, value);
        publisher.publish(topic, record.key(), SERDE.encode(letter));
        metrics.deadLetter();
    }
}
