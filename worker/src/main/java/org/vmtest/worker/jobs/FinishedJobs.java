package org.vmtest.worker.jobs;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.vmtest.protocol.codec.Decoded;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.StreamEvent;

/**
 * Finds a job's {@link JobFinished} on {@code vmtest.stream}, whichever worker published it: the guard that keeps a
 * worker from booting a VM for a job that is already over when the share group delivers it once more.
 *
 * <p>Why the stream topic: the worker that finished the job flushed its {@code JobFinished} there before it
 * acknowledged the job, so the record is readable by the time anyone can receive the job again; the verdicts and
 * the coordinator's {@code runs} state come later (the analyzer and the coordinator have to see it first). The
 * stream is keyed by job id, so one partition holds every record of the job, and nothing of it is older than the
 * job's submission: the look-up reads one partition from the submission time on, comparing keys and decoding only
 * the job's own records. It runs only for attempts of two and more, which are rare.
 */
final class FinishedJobs {
    private static final JsonSerde<StreamEvent> SERDE = JsonSerde.of(StreamEvent.class);
    /** Stream records carry their worker's clock: read a little earlier than the submission in case it lags. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaSettings kafka;
    private final String clientId;
    private final Duration timeout;

    FinishedJobs(KafkaSettings kafka, String clientId, Duration timeout) {
        this.kafka = kafka;
        this.clientId = clientId;
        this.timeout = timeout;
    }

    /**
     * @param submitted when the job was submitted: none of its stream records is older (but for clock skew)
     * @return the job's {@code JobFinished}, if any attempt of it finished
     * @throws IllegalStateException if the stream could not be read to its end within the timeout
     */
    Optional<JobFinished> find(String jobId, Instant submitted) {
        String topic = kafka.topics().stream();
        long deadline = System.nanoTime() + timeout.toNanos();
        Properties props = kafka.assignedConsumer(clientId);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, timeout);
            if (partitions.isEmpty()) throw new IllegalStateException("topic " + topic + " does not exist");
            // the producer's own choice of partition for a key, so that the look-up reads where the worker wrote
            int partition = BuiltInPartitioner.partitionForKey(jobId.getBytes(StandardCharsets.UTF_8), partitions.size());
            TopicPartition tp = new TopicPartition(topic, partition);
            long from = submitted.minus(CLOCK_SKEW).toEpochMilli();
            OffsetAndTimestamp start = consumer.offsetsForTimes(Map.of(tp, Math.max(0, from)), left(deadline)).get(tp);
            if (start == null) return Optional.empty();
            long end = consumer.endOffsets(List.of(tp), left(deadline)).get(tp);
            consumer.assign(List.of(tp));
            consumer.seek(tp, start.offset());
            while (consumer.position(tp, left(deadline)) < end) {
                Duration wait = left(deadline);
                for (ConsumerRecord<String, byte[]> r : consumer.poll(wait.compareTo(POLL) < 0 ? wait : POLL)) {
                    if (r.offset() >= end) break;
                    if (!jobId.equals(r.key())) continue;
                    if (SERDE.decode(r.value()) instanceof Decoded.Ok<StreamEvent> ok && ok.value() instanceof JobFinished f) {
                        return Optional.of(f);
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + tp + " up to offset " + end + " took longer than "
                            + timeout.toMillis() + " ms");
                }
            }
            return Optional.empty();
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new IllegalStateException("cannot read " + topic + ": " + e.getMessage(), e);
        }
    }

    private static Duration left(long deadline) {
        return Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), deadline - System.nanoTime()));
    }
}
