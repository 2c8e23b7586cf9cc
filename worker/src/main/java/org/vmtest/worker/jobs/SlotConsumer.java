package org.vmtest.worker.jobs;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.protocol.kafka.KafkaSettings;

/**
 * A slot's share consumer of {@code vmtest.jobs} and the call sequences that hold one job: fetch while free, renew
 * the lock while the job runs, settle it when it ended. Only the slot's thread calls it, except {@link #wakeup()}.
 *
 * <p>It fetches only while free: {@code max.poll.records=1} and {@code share.acquire.mode=record_limit}, so a poll
 * acquires one job at most, and while a job runs nothing is fetched at all. A poll while a record is being renewed
 * returns the renewed record instead of fetching new ones.
 *
 * <p>A job's ACCEPT (or RELEASE, REJECT) travels with the slot's next poll, in the ShareFetch request that acquires
 * the next job: one round trip per job instead of a ShareAcknowledge and then a ShareFetch. The slot is free by then,
 * so that poll may fetch; nothing is pending while a job runs (its ACCEPT went with the poll that took the next one),
 * so a renewal's {@code commitSync} carries the RENEW alone. What the broker refuses reaches
 * {@link #acknowledgementsCommitted}, which logs it as {@link #commit()} does.
 *
 * <p>Why renewals go out with {@code commitSync}, not with the next {@code poll}: with the Kafka 4.4 client a poll
 * that carries a RENEW arms the consumer's fetching too, and it keeps fetching in the background until a fetch
 * acquires something. The busy slot's consumer thus took the next job of its partition into its buffer, never
 * renewed it, and handed it out after the running job ended: first a copy whose lock had lapsed meanwhile (the job
 * had been acquired a second time, again by this consumer), then that second delivery, so the same job came back
 * as "attempt 2" right after it was accepted; and no free slot could have it while it sat there. A RENEW sent by
 * {@code commitSync} travels in a ShareAcknowledge request, which acquires nothing; the poll that follows only
 * takes the renewed record back.
 */
final class SlotConsumer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SlotConsumer.class);
    static final Duration RENEWAL_WAIT = Duration.ofSeconds(15);
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(10);

    private final String name;
    private final ShareConsumer<String, byte[]> consumer;

    private SlotConsumer(String name, ShareConsumer<String, byte[]> consumer) {
        this.name = name;
        this.consumer = consumer;
    }

    /** A consumer of the worker share group, subscribed to the jobs topic. */
    static SlotConsumer subscribe(KafkaSettings kafka, String clientId, String name) {
        Properties props = kafka.shareConsumer(clientId, kafka.topics().workerShareGroup());
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
        props.put(ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit");
        KafkaShareConsumer<String, byte[]> consumer = new KafkaShareConsumer<>(props);
        try {
            consumer.subscribe(List.of(kafka.topics().jobs()));
            consumer.setAcknowledgementCommitCallback((offsets, error) -> acknowledgementsCommitted(name, offsets, error));
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
        return new SlotConsumer(name, consumer);
    }

    /** Acknowledgements sent with a poll (or at close) are confirmed here, on the slot's thread. */
    private static void acknowledgementsCommitted(String name, Map<TopicIdPartition, Set<Long>> offsets, Exception error) {
        if (error != null) LOG.error("{}: acknowledgement for {} failed: {}", name, offsets, error.toString());
    }

    /** Waits up to {@code timeout} for a job (while free); sends the acknowledgements marked since the last call. */
    ConsumerRecords<String, byte[]> poll(Duration timeout) {
        return consumer.poll(timeout);
    }

    /** Marks a record; the next {@link #poll}, {@link #commit()} or {@link #close()} sends the marks. */
    void acknowledge(ConsumerRecord<String, byte[]> record, AcknowledgeType type) {
        consumer.acknowledge(record, type);
    }

    /** Sends the acknowledgements now and logs those the broker refused. */
    void commit() {
        try {
            commitSync(COMMIT_TIMEOUT).forEach((tip, error) -> error.ifPresent(
                    e -> LOG.error("{}: acknowledgement for {} failed: {}", name, tip, e.toString())));
        } catch (KafkaException e) {
            LOG.error("{}: commit of acknowledgements failed: {}", name, e.toString());
        }
    }

    /**
     * Renews the record's acquisition lock and takes it back into flight.
     *
     * @return whether this consumer still holds the record (false: the broker refused or never confirmed the
     *         renewal, the lock may lapse and another consumer take the job)
     */
    boolean renew(ConsumerRecord<String, byte[]> record) {
        consumer.acknowledge(record, AcknowledgeType.RENEW);
        try {
            for (Map.Entry<TopicIdPartition, Optional<KafkaException>> e : commitSync(RENEWAL_WAIT).entrySet()) {
                if (e.getKey().topic().equals(record.topic()) && e.getKey().partition() == record.partition()
                        && e.getValue().isPresent()) {
                    LOG.error("{}: the broker refused to renew the lock of {}; another worker may take the job: {}",
                            name, describe(record), e.getValue().get().toString());
                    return false;
                }
            }
        } catch (KafkaException e) {
            // the renewal may still complete: whether the record comes back tells
            LOG.warn("{}: renewing {}: {}", name, describe(record), e.toString());
        }
        return awaitRenewed(record);
    }

    /** A renewed record comes back from poll once the broker extended its lock. */
    private boolean awaitRenewed(ConsumerRecord<String, byte[]> record) {
        long deadline = System.nanoTime() + RENEWAL_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            ConsumerRecords<String, byte[]> back;
            try {
                back = consumer.poll(Duration.ofMillis(200));
            } catch (WakeupException e) {
                continue;
            }
            boolean found = false;
            for (ConsumerRecord<String, byte[]> r : back) {
                if (r.partition() == record.partition() && r.offset() == record.offset() && r.topic().equals(record.topic())) {
                    found = true;
                } else {
                    // not expected since renewals go by commitSync; the slot cannot run a second job
                    LOG.error("{} got record {} while renewing; releasing it", name, describe(r));
                    consumer.acknowledge(r, AcknowledgeType.RELEASE);
                }
            }
            if (found) return true;
        }
        LOG.error("{}: the lock renewal of {} was not confirmed in {} s; another worker may take the job",
                name, describe(record), RENEWAL_WAIT.toSeconds());
        return false;
    }

    /** Renew at a third of the broker's lock duration unless configured, so that one late renewal does no harm. */
    Duration renewInterval(Duration configured) {
        if (configured != null) return configured;
        int lockMillis = consumer.acquisitionLockTimeoutMs().orElse(30_000);
        return Duration.ofMillis(Math.max(1000, lockMillis / 3));
    }

    void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void close() {
        try {
            consumer.close(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            LOG.warn("closing the share consumer of {}: {}", name, e.toString());
        }
    }

    /** A wakeup from the slot's stop must not lose acknowledgements: the stop is seen by the slot's loops. */
    private Map<TopicIdPartition, Optional<KafkaException>> commitSync(Duration timeout) {
        while (true) {
            try {
                return consumer.commitSync(timeout);
            } catch (WakeupException e) {
                // retry
            }
        }
    }

    private static String describe(ConsumerRecord<?, ?> r) {
        return r.topic() + "-" + r.partition() + "@" + r.offset();
    }
}
