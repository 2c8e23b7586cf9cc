package org.vmtest.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.testing.KafkaClusterExtension;

/**
 * The slot's share-consumer sequences against the real broker and client, without VMs: a job is delivered once
 * however often its lock was renewed, and free slots take the jobs of one submission at once. Each test uses its
 * own topic prefix (its own jobs topic and share group), as a deployment does.
 */
class SlotConsumerIT {
    private static final Logger LOG = LoggerFactory.getLogger(SlotConsumerIT.class);
    private static final Duration LOCK = Duration.ofSeconds(3);
    private static final Duration RENEW = Duration.ofSeconds(1);

    @RegisterExtension
    static final KafkaClusterExtension kafka = new KafkaClusterExtension();

    /** What a slot saw: the record, its delivery count, and when it took it. */
    record Taken(String slot, int partition, long offset, int delivery, long atMillis) {
    }

    private static KafkaSettings freshCluster() {
        KafkaSettings settings = kafka.settings().withTopicPrefix("t" + UUID.randomUUID().toString().substring(0, 8));
        kafka.createTopics(settings);
        ShareGroupSetup.apply(settings, Map.of("share.record.lock.duration.ms", Long.toString(LOCK.toMillis())));
        return settings;
    }

    /** Jobs in one transaction whose keys all land on one partition, as the coordinator writes a run's jobs. */
    private static void submitOnOnePartition(KafkaSettings settings, int jobs) throws Exception {
        int partitions;
        try (Admin admin = Admin.create(settings.admin("test-admin"))) {
            String topic = settings.topics().jobs();
            partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                    .partitions().size();
        }
        List<String> keys = new ArrayList<>();
        int target = -1;
        while (keys.size() < jobs) {
            String key = "job-" + UUID.randomUUID();
            int p = BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), partitions);
            if (target < 0) target = p;
            if (p == target) keys.add(key);
        }
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                settings.transactionalProducer("test-submit", "test-submit-" + UUID.randomUUID()))) {
            producer.initTransactions();
            producer.beginTransaction();
            for (String key : keys) producer.send(new ProducerRecord<>(settings.topics().jobs(), key, key.getBytes(StandardCharsets.UTF_8)));
            producer.commitTransaction();
        }
    }

    /**
     * A slot's life as JobSlot leads it: poll while free; hold a job for {@code hold}, renewing its lock every
     * {@link #RENEW}; accept it; poll again, which sends the ACCEPT; commit what is left when stopped.
     */
    private static void runSlot(SlotConsumer consumer, String name, Duration hold, AtomicBoolean stop, List<Taken> taken,
                                List<String> problems, long t0) {
        try (consumer) {
            while (!stop.get()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
                    taken.add(new Taken(name, r.partition(), r.offset(), r.deliveryCount().orElse((short) 0),
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)));
                    long end = System.nanoTime() + hold.toNanos();
                    boolean held = true;
                    while (held && System.nanoTime() + RENEW.toNanos() < end) {
                        Thread.sleep(RENEW.toMillis());
                        held = consumer.renew(r);
                    }
                    if (!held) {
                        problems.add(name + " lost " + r.partition() + "@" + r.offset());
                        continue;
                    }
                    Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
                    consumer.acknowledge(r, AcknowledgeType.ACCEPT);
                }
            }
            consumer.commit();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            problems.add(name + " failed: " + e);
        }
    }

    private static List<Taken> runSlots(KafkaSettings settings, int slots, int jobs, Duration hold, Duration watch,
                                        List<String> problems) throws Exception {
        List<Taken> taken = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < slots; i++) {
            String name = "slot" + i;
            SlotConsumer consumer = SlotConsumer.subscribe(settings, "test-" + name, name);
            Thread t = new Thread(() -> runSlot(consumer, name, hold, stop, taken, problems, t0), "test-" + name);
            threads.add(t);
            t.start();
        }
        try {
            Thread.sleep(3000); // every slot joined the group and polls
            submitOnOnePartition(settings, jobs);
            Thread.sleep(watch.toMillis());
        } finally {
            stop.set(true);
            for (Thread t : threads) t.join(30_000);
        }
        return taken;
    }

    @Test
    void aJobWhoseLockWasRenewedIsDeliveredOnceEvenWhenTheNextJobWaitsBehindIt() throws Exception {
        KafkaSettings settings = freshCluster();
        List<String> problems = new CopyOnWriteArrayList<>();
        // one slot, two jobs: the second waits while the first is renewed for twice the lock duration
        List<Taken> taken = runSlots(settings, 1, 2, LOCK.multipliedBy(2), LOCK.multipliedBy(6), problems);
        LOG.info("FIGURE one slot, two jobs of one batch: {}", taken);

        assertThat(problems).isEmpty();
        assertThat(taken).extracting(Taken::offset).as("each job once").doesNotHaveDuplicates().hasSize(2);
        assertThat(taken).extracting(Taken::delivery).as("first deliveries only").containsOnly(1);
    }

    @Test
    void shortJobsAcceptedWithTheNextPollAreEachDeliveredOnce() throws Exception {
        KafkaSettings settings = freshCluster();
        List<String> problems = new CopyOnWriteArrayList<>();
        // four slots drain 200 jobs that end at once; the watch outlasts the lock twice, so an ACCEPT that did not
        // reach the broker would show as a second delivery
        int jobs = 200;
        List<Taken> taken = runSlots(settings, 4, jobs, Duration.ZERO, LOCK.multipliedBy(3), problems);
        LOG.info("FIGURE four slots, {} jobs held 0 ms: {} taken, last at {} ms", jobs, taken.size(),
                taken.stream().mapToLong(Taken::atMillis).max().orElse(-1));

        assertThat(problems).isEmpty();
        assertThat(taken).extracting(Taken::offset).as("each job once").doesNotHaveDuplicates().hasSize(jobs);
        assertThat(taken).extracting(Taken::delivery).as("first deliveries only").containsOnly(1);
    }

    @Test
    void twoFreeSlotsTakeTheTwoJobsOfOneSubmissionAtOnce() throws Exception {
        KafkaSettings settings = freshCluster();
        List<String> problems = new CopyOnWriteArrayList<>();
        List<Taken> taken = runSlots(settings, 2, 2, LOCK.multipliedBy(2), LOCK.multipliedBy(4), problems);
        LOG.info("FIGURE two slots, two jobs on one partition: {}", taken);

        assertThat(problems).isEmpty();
        assertThat(taken).hasSize(2);
        assertThat(taken).extracting(Taken::slot).as("one job per slot").doesNotHaveDuplicates();
        assertThat(Math.abs(taken.get(0).atMillis() - taken.get(1).atMillis())).as("started together").isLessThan(2000);
        assertThat(taken).extracting(Taken::delivery).containsOnly(1);
    }
}
