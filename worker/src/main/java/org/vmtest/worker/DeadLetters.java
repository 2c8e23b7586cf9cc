package org.vmtest.worker;

import java.time.InstantSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.dlq.DeadLetter;
import org.vmtest.protocol.dlq.DeadLetterBuilder;
import org.vmtest.worker.stream.StreamPublisher;

/**
 * Sends records this worker cannot decode to {@code vmtest.dlq}, under their original key, and carries on. The
 * letter is bounded by {@link DeadLetterBuilder}, so even a bad record at Kafka's size limit leaves a letter.
 */
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
        DeadLetter letter = DeadLetterBuilder.of(record).consumer(consumer).time(clock.instant()).error(error).build();
        publisher.publish(topic, DeadLetterBuilder.key(record.key()), SERDE.encode(letter));
        metrics.deadLetter();
    }
}
