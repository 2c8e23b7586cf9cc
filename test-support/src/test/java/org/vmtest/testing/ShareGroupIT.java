package org.vmtest.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the worker relies on from Kafka share groups, checked against the real broker. */
class ShareGroupIT {
    private static final Duration LOCK = Duration.ofSeconds(2);
    private static final AtomicInteger TOPICS = new AtomicInteger();

    @RegisterExtension
    static final KafkaClusterExtension kafka = new KafkaClusterExtension();

    private String topic;
    private String group;

    @BeforeEach
    void freshTopicAndGroup() {
        int n = TOPICS.incrementAndGet();
        topic = kafka.topicPrefix() + ".share-" + n;
        group = kafka.topicPrefix() + "-share-" + n;
        kafka.createTopic(topic, 1);
        kafka.configureShareGroup(group, Map.of(
                "share.auto.offset.reset", "earliest",
                "share.record.lock.duration.ms", Long.toString(LOCK.toMillis()),
                "share.renew.acknowledge.enable", "true"));
    }

    @Test
    void anAcceptedRecordIsNotDeliveredAgain() {
        kafka.produce(topic, "job-1", bytes("first"));
        try (KafkaShareConsumer<String, byte[]> consumer = consumer("a")) {
            ConsumerRecord<String, byte[]> first = pollOne(consumer);
            consumer.acknowledge(first, AcknowledgeType.ACCEPT);
            commit(consumer);
        }
        kafka.produce(topic, "job-2", bytes("second"));

        try (KafkaShareConsumer<String, byte[]> consumer = consumer("b")) {
            ConsumerRecord<String, byte[]> next = pollOne(consumer);
            assertThat(text(next)).isEqualTo("second");
            consumer.acknowledge(next, AcknowledgeType.ACCEPT);
            commit(consumer);
        }
    }

    @Test
    void aReleasedRecordIsDeliveredAgainWithDeliveryCountTwo() {
        kafka.produce(topic, "job-1", bytes("retry me"));
        try (KafkaShareConsumer<String, byte[]> consumer = consumer("a")) {
            ConsumerRecord<String, byte[]> first = pollOne(consumer);
            assertThat(first.deliveryCount()).contains((short) 1);
            consumer.acknowledge(first, AcknowledgeType.RELEASE);
            commit(consumer);

            ConsumerRecord<String, byte[]> again = pollOne(consumer);
            assertThat(again.offset()).isEqualTo(first.offset());
            assertThat(again.deliveryCount()).contains((short) 2);
            consumer.acknowledge(again, AcknowledgeType.ACCEPT);
            commit(consumer);
        }
    }

    @Test
    void aRecordWhoseLockExpiresGoesToAnotherConsumer() {
        kafka.produce(topic, "job-1", bytes("abandoned"));
        try (KafkaShareConsumer<String, byte[]> holder = consumer("holder");
             KafkaShareConsumer<String, byte[]> other = consumer("other")) {
            ConsumerRecord<String, byte[]> held = pollOne(holder);

            ConsumerRecord<String, byte[]> redelivered = pollOne(other);
            assertThat(redelivered.offset()).isEqualTo(held.offset());
            assertThat(redelivered.deliveryCount()).contains((short) 2);
            other.acknowledge(redelivered, AcknowledgeType.ACCEPT);
            commit(other);
        }
    }

    @Test
    void aRecordRenewedPastItsLockIsNotDeliveredToAnotherConsumer() throws Exception {
        kafka.produce(topic, "job-1", bytes("long job"));
        try (KafkaShareConsumer<String, byte[]> worker = consumer("worker")) {
            ConsumerRecord<String, byte[]> job = pollOne(worker);
            List<ConsumerRecord<String, byte[]>> seenByOther = new CopyOnWriteArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread otherWorker = new Thread(() -> {
                try (KafkaShareConsumer<String, byte[]> other = consumer("other")) {
                    while (!stop.get()) {
                        for (ConsumerRecord<String, byte[]> r : other.poll(Duration.ofMillis(200))) {
                            seenByOther.add(r);
                            other.acknowledge(r, AcknowledgeType.RELEASE);
                        }
                    }
                }
            }, "other-share-consumer");
            otherWorker.start();

            long holdUntil = System.nanoTime() + LOCK.multipliedBy(3).toNanos();
            while (System.nanoTime() < holdUntil) {
                worker.acknowledge(job, AcknowledgeType.RENEW);
                commit(worker);
                // A renewed record comes back from the next poll and must be acknowledged again.
                for (ConsumerRecord<String, byte[]> r : worker.poll(LOCK.dividedBy(4))) {
                    assertThat(r.offset()).isEqualTo(job.offset());
                    job = r;
                }
            }
            worker.acknowledge(job, AcknowledgeType.ACCEPT);
            commit(worker);
            stop.set(true);
            otherWorker.join(Duration.ofSeconds(30).toMillis());

            assertThat(otherWorker.isAlive()).isFalse();
            assertThat(seenByOther).isEmpty();
        }
    }

    private KafkaShareConsumer<String, byte[]> consumer(String name) {
        KafkaShareConsumer<String, byte[]> consumer =
                new KafkaShareConsumer<>(kafka.settings().shareConsumer(group + "-" + name, group));
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    /** commitSync reports a refused acknowledgement (e.g. RENEW while the group disables it) in its result only. */
    private static void commit(KafkaShareConsumer<String, byte[]> consumer) {
        assertThat(consumer.commitSync().values()).allSatisfy(error -> assertThat(error).isEmpty());
    }

    private static ConsumerRecord<String, byte[]> pollOne(KafkaShareConsumer<String, byte[]> consumer) {
        List<ConsumerRecord<String, byte[]>> got = new CopyOnWriteArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            consumer.poll(Duration.ofMillis(200)).forEach(got::add);
            return !got.isEmpty();
        });
        assertThat(got).hasSize(1);
        return got.get(0);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(ConsumerRecord<String, byte[]> r) {
        return new String(r.value(), StandardCharsets.UTF_8);
    }
}
