package org.vmtest.analyzer.stream;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.control.ControlCommand;
import org.vmtest.protocol.kafka.KafkaSettings;

/**
 * Sends an {@code AbortJob} to {@code vmtest.control} at once, outside the analyzer's exactly-once transaction.
 *
 * <p>The transactional copy becomes visible to workers (read_committed) only when the stream task commits, up to a
 * commit interval later: about 100 ms on the abort path, whose whole point is stopping a crashed VM now. This copy
 * is written and acknowledged before the transactional one is even sent, so no open transaction of ours stands in
 * front of it. Duplicates are harmless: a worker acts on the first abort of a job and ignores the rest, and a
 * replayed task decides the same abort again anyway. The transactional copy stays the record of truth.
 */
public interface ExpressControl extends AutoCloseable {
    void send(ControlCommand command, long timestampMillis);

    @Override
    void close();

    /** No express path: aborts go out with the transaction only (tests of the topology alone). */
    static ExpressControl none() {
        return new ExpressControl() {
            @Override
            public void send(ControlCommand command, long timestampMillis) {
            }

            @Override
            public void close() {
            }
        };
    }

    static ExpressControl kafka(KafkaSettings settings, String clientId) {
        return new Kafka(settings, clientId);
    }

    final class Kafka implements ExpressControl {
        private static final Logger LOG = LoggerFactory.getLogger(ExpressControl.class);
        private static final JsonSerde<ControlCommand> SERDE = JsonSerde.of(ControlCommand.class);
        /** How long a stream thread waits for the acknowledgement; past it the transactional copy still goes out. */
        private static final Duration WAIT = Duration.ofMillis(500);

        private final KafkaProducer<String, byte[]> producer;
        private final String topic;

        private Kafka(KafkaSettings settings, String clientId) {
            Properties p = settings.producer(clientId);
            p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(WAIT.toMillis()));
            this.producer = new KafkaProducer<>(p);
            this.topic = settings.topics().control();
        }

        @Override
        public void send(ControlCommand command, long timestampMillis) {
            try {
                producer.send(new ProducerRecord<>(topic, null, timestampMillis, command.jobId(), SERDE.encode(command)))
                        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                LOG.warn("express {} for job {} not sent ({}); it goes out with the next commit",
                        command.getClass().getSimpleName(), command.jobId(), e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
