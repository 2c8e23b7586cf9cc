package org.vmtest.coordinator.core;

import io.dropwizard.lifecycle.Managed;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.protocol.kafka.KafkaSettings;

/**
 * Writes a batch of records in one Kafka transaction: all of them become visible to read_committed consumers,
 * or none. A failed transaction is aborted and reported as {@link KafkaUnavailableException}; a producer that can
 * no longer be used is replaced on the next call.
 */
public final class RunPublisher implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(RunPublisher.class);
    private final KafkaSettings settings;
    private final String transactionalId;
    private final Duration timeout;
    private KafkaProducer<String, byte[]> producer;
    private final java.util.concurrent.atomic.AtomicInteger producersMade = new java.util.concurrent.atomic.AtomicInteger();
    private boolean stopped;

    public RunPublisher(KafkaSettings settings, Duration timeout) {
        this.settings = settings;
        // Each coordinator process publishes only inside a request, so it needs no fencing of an earlier
        // incarnation: a fresh id per process keeps two coordinators from fencing each other.
        this.transactionalId = settings.topics().prefix() + "-coordinator-api-" + UUID.randomUUID();
        this.timeout = timeout;
    }

    public synchronized void publish(List<ProducerRecord<String, byte[]>> records) {
        KafkaProducer<String, byte[]> p;
        try {
            p = producer();
        } catch (KafkaException e) {
            closeProducer();
            throw new KafkaUnavailableException("Kafka is unavailable: " + e.getMessage(), e);
        }
        try {
            p.beginTransaction();
            for (ProducerRecord<String, byte[]> record : records) p.send(record);
            p.commitTransaction();
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
            closeProducer();
            throw new KafkaUnavailableException("Kafka refused the transaction: " + e.getMessage(), e);
        } catch (KafkaException e) {
            try {
                p.abortTransaction();
            } catch (KafkaException abort) {
                e.addSuppressed(abort);
                closeProducer();
            }
            throw new KafkaUnavailableException("Kafka did not take the records, none were published: " + e.getMessage(), e);
        }
    }

    private KafkaProducer<String, byte[]> producer() {
        if (producer == null) producer = newProducer();
        return producer;
    }

    /** Each producer its own transactional id, so the warm-up's and a request's never fence each other. */
    private KafkaProducer<String, byte[]> newProducer() {
        Properties props = settings.transactionalProducer("coordinator-api",
                transactionalId + "-" + producersMade.incrementAndGet());
        String ms = Long.toString(timeout.toMillis());
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, ms);
        props.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
        // A submission is a handful of records sent at once: nothing to wait for, and the delivery
        // timeout must cover linger plus a request.
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis() + 1000));
        KafkaProducer<String, byte[]> p = new KafkaProducer<>(props);
        try {
            p.initTransactions();
        } catch (KafkaException e) {
            p.close(Duration.ZERO);
            throw e;
        }
        return p;
    }

    private void closeProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ofSeconds(1));
            } catch (KafkaException e) {
                LOG.debug("closing a failed producer: {}", e.toString());
            }
            producer = null;
        }
    }

    /**
     * Readies the transactional producer in the background: {@code initTransactions} (finding the transaction
     * coordinator, getting a producer id) took a few hundred milliseconds out of the first submission's way to
     * its first job (docs/BENCHMARKS.md, dispatch). A failure here is only logged: the first submission then
     * tries again and answers with the error.
     */
    @Override
    public void start() {
        Thread warmUp = new Thread(() -> {
            KafkaProducer<String, byte[]> ready;
            try {
                ready = newProducer(); // outside the lock: a stop or a request never waits for it
            } catch (KafkaException e) {
                LOG.warn("the run publisher's producer is not ready yet (the first submission retries): {}",
                        e.toString());
                return;
            }
            synchronized (this) {
                if (producer == null && !stopped) {
                    producer = ready;
                    return;
                }
            }
            ready.close(Duration.ZERO); // a request made its own meanwhile, or the service stopped
        }, "run-publisher-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
    }

    @Override
    public synchronized void stop() {
        stopped = true;
        if (producer != null) producer.close(Duration.ofSeconds(5));
        producer = null;
    }

}
