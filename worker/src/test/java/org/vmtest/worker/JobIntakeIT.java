package org.vmtest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.codec.Decoded;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.dlq.DeadLetter;
import org.vmtest.protocol.jobs.JobMessage;
import org.vmtest.protocol.jobs.JobRequested;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.JobStarted;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.stream.StreamEvent;
import org.vmtest.testing.KafkaClusterExtension;
import org.vmtest.testing.cluster.TopicReader;
import org.vmtest.worker.jobs.ShareGroupSetup;
import org.vmtest.worker.vm.Hypervisor;

/** How a worker takes jobs from the share group: all of its free slots at once, and never a job that is over. */
class JobIntakeIT {
    private static final Logger LOG = LoggerFactory.getLogger(JobIntakeIT.class);
    private static final JsonSerde<JobMessage> JOBS = JsonSerde.of(JobMessage.class);
    private static final JsonSerde<StreamEvent> EVENTS = JsonSerde.of(StreamEvent.class);
    private static final Duration LOCK = Duration.ofSeconds(15);

    @RegisterExtension
    static final KafkaClusterExtension kafka = new KafkaClusterExtension();

    @TempDir
    static Path work;

    static Hypervisor libvirt;

    /** Each test has topics and a share group of its own: a job one test leaves queued cannot reach another. */
    private KafkaSettings settings;
    private StreamWatcher stream;

    @BeforeAll
    static void openLibvirt() throws Exception {
        libvirt = Hypervisor.open("qemu:///system");
    }

    @AfterAll
    static void closeLibvirt() {
        if (libvirt != null) libvirt.close();
    }

    @BeforeEach
    void ownTopics() {
        settings = kafka.settings().withTopicPrefix("t" + UUID.randomUUID().toString().substring(0, 8));
        kafka.createTopics(settings);
        ShareGroupSetup.apply(settings, Map.of("share.record.lock.duration.ms", Long.toString(LOCK.toMillis())));
        stream = new StreamWatcher(settings);
    }

    @AfterEach
    void closeStream() throws Exception {
        stream.close();
    }

    private WorkerConfig config(String workerId, int slots) {
        return WorkerConfig.defaults(settings).withWorkerId(workerId).withSlots(slots)
                .withDirs(TestGuest.dir(), work).withIntervals(Duration.ofSeconds(2), Duration.ofSeconds(3));
    }

    private void produce(String topic, String key, byte[] value) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings.producer("test-producer"))) {
            producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        }
    }

    /** Jobs whose ids all land on one partition of the jobs topic, however many it has: the case that starved slots. */
    private List<JobRequested> jobsOnOnePartition(Profile profile, int count) throws Exception {
        int partitions;
        try (Admin admin = Admin.create(settings.admin("test-admin"))) {
            String topic = settings.topics().jobs();
            partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                    .partitions().size();
        }
        List<JobRequested> jobs = new ArrayList<>();
        int target = -1;
        while (jobs.size() < count) {
            String id = profile.name() + "-" + UUID.randomUUID().toString().substring(0, 8);
            int p = BuiltInPartitioner.partitionForKey(id.getBytes(StandardCharsets.UTF_8), partitions);
            if (target < 0) target = p;
            if (p == target) jobs.add(new JobRequested(id, "run-" + id, profile, Map.of(), Instant.now()));
        }
        return jobs;
    }

    /** One transaction, as the coordinator submits a run: the jobs share a record batch. */
    private void submitTogether(List<JobRequested> jobs) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings
                .transactionalProducer("test-submit", "test-submit-" + UUID.randomUUID()))) {
            producer.initTransactions();
            producer.beginTransaction();
            for (JobRequested job : jobs) producer.send(new ProducerRecord<>(settings.topics().jobs(), job.jobId(), JOBS.encode(job)));
            producer.commitTransaction();
        }
    }

    @Test
    void twoJobsSubmittedTogetherStartOnTwoFreeSlotsAtOnce() throws Exception {
        List<JobRequested> jobs = jobsOnOnePartition(TestGuest.installOnly(TestGuest.profile("pass")), 2);
        try (Worker worker = Worker.start(config("intake2", 2))) {
            // both slots' consumers have joined the share group and poll
            Thread.sleep(5000);
            submitTogether(jobs);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                    jobs.stream().allMatch(j -> !stream.of(j.jobId(), JobStarted.class).isEmpty()));
        }
        Instant first = stream.of(jobs.get(0).jobId(), JobStarted.class).get(0).time();
        Instant second = stream.of(jobs.get(1).jobId(), JobStarted.class).get(0).time();
        long apart = Math.abs(Duration.between(first, second).toMillis());
        LOG.info("FIGURE two jobs of one submission on a two-slot worker: started {} ms apart", apart);
        assertThat(apart).isLessThan(5000);
        assertThat(jobs).allSatisfy(j -> assertThat(stream.of(j.jobId(), JobStarted.class))
                .extracting(JobStarted::attempt).containsExactly(1));
        assertThat(libvirt.domainsNamed("vmtest-intake2-")).isEmpty();
    }

    @Test
    void aJobDeliveredAgainAfterAnotherWorkerFinishedItIsAcceptedWithoutAVm() throws Exception {
        JobRequested job = jobsOnOnePartition(TestGuest.installOnly(TestGuest.profile("pass")), 1).get(0);
        produce(settings.topics().jobs(), job.jobId(), JOBS.encode(job));
        // another worker ran it to its end, and its ACCEPT never reached the broker
        produce(settings.topics().stream(), job.jobId(), EVENTS.encode(new JobFinished(job.jobId(), 1, Instant.now(),
                job.runId(), Verdict.PASSED, "", Phase.REPORTING, Map.of(), "gone")));
        try (KafkaShareConsumer<String, byte[]> gone = new KafkaShareConsumer<>(
                settings.shareConsumer("test-gone-worker", settings.topics().workerShareGroup()))) {
            gone.subscribe(List.of(settings.topics().jobs()));
            ConsumerRecord<String, byte[]> first = pollOne(gone);
            assertThat(first.deliveryCount()).contains((short) 1);
            gone.acknowledge(first, AcknowledgeType.RELEASE);
            assertThat(gone.commitSync().values()).allSatisfy(e -> assertThat(e).isEmpty());
        }

        try (Worker worker = Worker.start(config("intakeG", 1))) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> worker.running().alreadyFinished(job.jobId()));
        }
        assertThat(stream.of(job.jobId(), JobStarted.class)).as("no attempt started").isEmpty();
        assertThat(stream.of(job.jobId(), JobFinished.class)).singleElement().extracting(JobFinished::workerId)
                .isEqualTo("gone");
        try (KafkaShareConsumer<String, byte[]> after = new KafkaShareConsumer<>(
                settings.shareConsumer("test-after", settings.topics().workerShareGroup()))) {
            after.subscribe(List.of(settings.topics().jobs()));
            long until = System.nanoTime() + LOCK.toNanos();
            while (System.nanoTime() < until) {
                assertThat(after.poll(Duration.ofMillis(500))).as("the delivery was accepted").isEmpty();
            }
        }
        assertThat(libvirt.domainsNamed("vmtest-intakeG-")).isEmpty();
    }

    @Test
    void aJobDeliveredMoreOftenThanItsAttemptLimitEndsAsErrorWithoutAVm() throws Exception {
        JobRequested job = jobsOnOnePartition(TestGuest.withAttemptLimit(TestGuest.profile("pass"), 1), 1).get(0);
        produce(settings.topics().jobs(), job.jobId(), JOBS.encode(job));
        // a worker took it and was lost: its delivery went back to the group
        try (KafkaShareConsumer<String, byte[]> lost = new KafkaShareConsumer<>(
                settings.shareConsumer("test-lost-worker", settings.topics().workerShareGroup()))) {
            lost.subscribe(List.of(settings.topics().jobs()));
            lost.acknowledge(pollOne(lost), AcknowledgeType.RELEASE);
            assertThat(lost.commitSync().values()).allSatisfy(e -> assertThat(e).isEmpty());
        }

        try (Worker worker = Worker.start(config("intakeL", 1))) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> !stream.of(job.jobId(), JobFinished.class).isEmpty());
        }
        // announced so the analyzer and coordinator know the attempt, but with no domain
        assertThat(stream.of(job.jobId(), JobStarted.class)).singleElement().satisfies(s -> {
            assertThat(s.attempt()).isEqualTo(2);
            assertThat(s.domain()).as("no VM for it").isEmpty();
        });
        assertThat(stream.of(job.jobId(), JobFinished.class)).singleElement().satisfies(f -> {
            assertThat(f.outcome()).isEqualTo(Verdict.ERROR);
            assertThat(f.attempt()).isEqualTo(2);
            assertThat(f.reason()).isEqualTo("worker lost 1 time (attempt limit 1)");
        });
        assertThat(libvirt.domainsNamed("vmtest-intakeL-")).isEmpty();
    }

    @Test
    void aJobRecordThatDoesNotDecodeGoesToTheDeadLetterTopicOnceAndTheNextJobRuns() throws Exception {
        byte[] garbage = "{\"type\":\"JobRequested\",\"jobId\":42".getBytes(StandardCharsets.UTF_8);
        produce(settings.topics().jobs(), "broken-job", garbage);
        JobRequested next = jobsOnOnePartition(TestGuest.installOnly(TestGuest.profile("pass")), 1).get(0);
        produce(settings.topics().jobs(), next.jobId(), JOBS.encode(next));

        try (Worker worker = Worker.start(config("intakeD", 1))) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> !stream.of(next.jobId(), JobStarted.class).isEmpty());
            List<ConsumerRecord<String, byte[]>> dlq = new TopicReader(settings).readAll(settings.topics().dlq());
            assertThat(dlq).singleElement().extracting(ConsumerRecord::key).isEqualTo("broken-job");
            DeadLetter letter = ((Decoded.Ok<DeadLetter>) JsonSerde.of(DeadLetter.class).decode(dlq.get(0).value())).value();
            assertThat(letter.topic()).isEqualTo(settings.topics().jobs());
            assertThat(new String(Base64.getDecoder().decode(letter.valueBase64()), StandardCharsets.UTF_8))
                    .isEqualTo(new String(garbage, StandardCharsets.UTF_8));
        }
        // rejected, not released: it is never delivered again
        try (KafkaShareConsumer<String, byte[]> after = new KafkaShareConsumer<>(
                settings.shareConsumer("test-after-dlq", settings.topics().workerShareGroup()))) {
            after.subscribe(List.of(settings.topics().jobs()));
            long until = System.nanoTime() + LOCK.toNanos();
            while (System.nanoTime() < until) {
                for (ConsumerRecord<String, byte[]> r : after.poll(Duration.ofMillis(500))) {
                    assertThat(r.key()).as("the rejected record came back").isNotEqualTo("broken-job");
                    // the next job, released when the worker stopped: not this test's business
                    after.acknowledge(r, AcknowledgeType.RELEASE);
                }
            }
        }
    }

    private static ConsumerRecord<String, byte[]> pollOne(KafkaShareConsumer<String, byte[]> consumer) {
        List<ConsumerRecord<String, byte[]>> got = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            consumer.poll(Duration.ofMillis(200)).forEach(got::add);
            return !got.isEmpty();
        });
        assertThat(got).hasSize(1);
        return got.get(0);
    }
}
