package org.vmtest.analyzer.issues;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.protocol.codec.Decoded;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.issues.KnownIssue;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.issues.KnownIssueRegistry;

/**
 * Keeps a {@link KnownIssueRegistry} up to date from the compacted {@code vmtest.known-issues} topic: reads it
 * from the beginning with no consumer group, then follows it, on its own thread. A record that does not decode is
 * skipped (the coordinator, which writes the topic, never writes one).
 */
public final class KnownIssueReader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KnownIssueReader.class);
    private static final JsonSerde<KnownIssue> CODEC = JsonSerde.of(KnownIssue.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final KnownIssueRegistry registry;
    private final Thread thread;
    private volatile boolean running = true;

    private KnownIssueReader(KafkaSettings settings, String clientId, KnownIssueRegistry registry) {
        this.consumer = new KafkaConsumer<>(settings.assignedConsumer(clientId), new StringDeserializer(),
                new ByteArrayDeserializer());
        this.topic = settings.topics().knownIssues();
        this.registry = registry;
        this.thread = new Thread(this::run, clientId);
        thread.setDaemon(true);
    }

    public static KnownIssueReader start(KafkaSettings settings, String clientId, KnownIssueRegistry registry) {
        KnownIssueReader reader = new KnownIssueReader(settings, clientId, registry);
        reader.thread.start();
        return reader;
    }

    private void run() {
        try {
            List<TopicPartition> partitions = partitions();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) apply(r);
            }
        } catch (WakeupException e) {
            if (running) throw e;
        } catch (RuntimeException e) {
            LOG.error("known-issue reader stopped: known issues no longer change", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private List<TopicPartition> partitions() {
        List<PartitionInfo> infos = List.of();
        while (running && infos.isEmpty()) {
            try {
                infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            } catch (TimeoutException e) {
                LOG.warn("waiting for topic {}: {}", topic, e.getMessage());
            }
        }
        List<TopicPartition> partitions = new ArrayList<>();
        infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        return partitions;
    }

    private void apply(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            registry.remove(r.key());
        } else if (CODEC.decode(r.value()) instanceof Decoded.Ok<KnownIssue> ok) {
            registry.put(ok.value());
        } else {
            LOG.warn("skipping a known-issue record that does not decode: {}-{}@{}", r.topic(), r.partition(), r.offset());
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
