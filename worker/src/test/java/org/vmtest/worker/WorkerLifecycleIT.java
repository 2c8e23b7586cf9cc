package org.vmtest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.jobs.JobMessage;
import org.vmtest.protocol.jobs.JobRequested;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.JobStarted;
import org.vmtest.protocol.stream.Line;
import org.vmtest.testing.KafkaClusterExtension;
import org.vmtest.testing.cluster.ServiceLaunch;
import org.vmtest.testing.cluster.ServiceUser;
import org.vmtest.worker.vm.Hypervisor;

/** Workers coming and going: a killed worker's job runs again elsewhere, a stopped one's at once, slots hold. */
class WorkerLifecycleIT {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerLifecycleIT.class);
    private static final JsonSerde<JobMessage> JOBS = JsonSerde.of(JobMessage.class);
    private static final Duration LOCK = Duration.ofSeconds(15);
    private static final Duration RENEW = Duration.ofSeconds(3);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    static final KafkaClusterExtension kafka = new KafkaClusterExtension();

    @TempDir
    static Path work;

    static StreamWatcher stream;
    static Hypervisor libvirt;

    @BeforeAll
    static void setUp() throws Exception {
        kafka.createTopics();
        kafka.configureShareGroup(kafka.topics().workerShareGroup(), Map.of(
                "share.record.lock.duration.ms", Long.toString(LOCK.toMillis())));
        stream = new StreamWatcher(kafka.settings());
        libvirt = Hypervisor.open("qemu:///system");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (stream != null) stream.close();
        if (libvirt != null) libvirt.close();
    }

    private static WorkerConfig config(String workerId) {
        return WorkerConfig.defaults(kafka.settings()).withWorkerId(workerId).withDirs(TestGuest.dir(), work)
                .withIntervals(Duration.ofSeconds(2), RENEW);
    }

    private static JobRequested submit() {
        JobRequested job = TestGuest.job(TestGuest.installOnly(TestGuest.profile("pass")));
        kafka.produce(kafka.topics().jobs(), job.jobId(), JOBS.encode(job));
        return job;
    }

    private static JobStarted awaitStarted(JobRequested job, int attempt, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(100)).until(() ->
                !stream.of(job.jobId(), JobStarted.class, s -> s.attempt() == attempt).isEmpty());
        return stream.of(job.jobId(), JobStarted.class, s -> s.attempt() == attempt).get(0);
    }

    private static void awaitInstalling(JobRequested job, int attempt) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() ->
                stream.of(job.jobId(), Line.class).stream().anyMatch(l -> l.attempt() == attempt
                        && l.phase() == Phase.INSTALLATION && l.source() == LineSource.SSH_STDOUT));
    }

    private static JobFinished awaitFinished(JobRequested job, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(200)).until(() -> stream.finished(job.jobId()) != null);
        return stream.finished(job.jobId());
    }

    @Test
    void aWorkerKilledMidJobIsReplacedAndTheJobRunsAgainAsAttemptTwo() throws Exception {
        Path yaml = work.resolve("dead1.yaml");
        Files.writeString(yaml, """
                kafka:
                  bootstrapServers: %s
                  topicPrefix: %s
                  partitions: 3
                workerId: dead1
                imageDir: %s
                workDir: %s
                renewInterval: 3s
                """.formatted(kafka.bootstrapServers(), kafka.topicPrefix(), TestGuest.dir(), work));
        Process child = ServiceLaunch.processBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.vmtest.worker.WorkerMain", yaml.toString()),
                ServiceUser.INVOKER).redirectErrorStream(true).redirectOutput(work.resolve("dead1.log").toFile()).start();
        JobRequested job;
        try {
            job = submit();
            JobStarted first = awaitStarted(job, 1, Duration.ofMinutes(2));
            assertThat(first.workerId()).isEqualTo("dead1");
            awaitInstalling(job, 1);
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
        long killedAt = System.nanoTime();
        String leftOver = stream.of(job.jobId(), JobStarted.class).get(0).domain();
        assertThat(libvirt.isRunning(leftOver)).as("a killed worker cannot clean up").isTrue();

        try (Worker successor = Worker.start(config("live1").withMetricsAddress("127.0.0.1:0"))) {
            JobStarted second = awaitStarted(job, 2, LOCK.plusSeconds(45));
            LOG.info("FIGURE killed worker: job redelivered as attempt 2 {} ms after the kill",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
            assertThat(second.workerId()).isEqualTo("live1");
            JobFinished finished = awaitFinished(job, Duration.ofMinutes(4));
            assertThat(finished.attempt()).isEqualTo(2);
            assertThat(finished.outcome()).as(finished.reason()).isEqualTo(Verdict.PASSED);
            assertTheSuccessorsEndpointShowsTheRedeliveredJob(successor.metricsPort());
        }
        try (Worker reborn = Worker.start(config("dead1").withSlots(1))) {
            assertThat(libvirt.isRunning(leftOver)).as("the restarted worker swept its old domain").isFalse();
        }
        assertThat(libvirt.domainsNamed("vmtest-dead1-")).isEmpty();
        assertThat(libvirt.domainsNamed("vmtest-live1-")).isEmpty();
    }

    /** What an operator scrapes from the worker that ran the job as attempt 2: one slot, one job, one redelivery. */
    private static void assertTheSuccessorsEndpointShowsTheRedeliveredJob(int port) throws Exception {
        // the slot counts the job after the JobFinished is on the stream and the record acknowledged
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() ->
                value(get(port, "/metrics").body(), "vmtest_worker_jobs_total", "verdict=\"PASSED\"") == 1);
        String scrape = get(port, "/metrics").body();
        LOG.info("worker /metrics after the job:\n{}", scrape.lines().filter(l -> l.startsWith("vmtest_worker_")
                && !l.contains("_bucket")).collect(Collectors.joining("\n")));
        assertThat(value(scrape, "vmtest_worker_jobs_total", "verdict=\"FAILED\"")).isZero();
        assertThat(value(scrape, "vmtest_worker_jobs_total", "verdict=\"ERROR\"")).isZero();
        assertThat(value(scrape, "vmtest_worker_redeliveries_total")).isEqualTo(1);
        assertThat(value(scrape, "vmtest_worker_slots", "worker=\"live1\"")).isEqualTo(1);
        assertThat(value(scrape, "vmtest_worker_slots_busy")).isZero();
        assertThat(value(scrape, "vmtest_worker_lines_total", "source=\"CONSOLE\"")).isPositive();
        assertThat(value(scrape, "vmtest_worker_lines_total", "source=\"SSH_STDOUT\"")).isPositive();
        assertThat(value(scrape, "vmtest_worker_lines_total", "source=\"WORKER\"")).isPositive();
        assertThat(value(scrape, "vmtest_worker_phase_seconds_count", "phase=\"PROVISIONING\"")).isEqualTo(1);
        assertThat(value(scrape, "vmtest_worker_phase_seconds_count", "phase=\"INSTALLATION\"")).isEqualTo(1);
        assertThat(value(scrape, "vmtest_worker_phase_seconds_sum", "phase=\"PROVISIONING\"")).isPositive();
        assertThat(value(scrape, "vmtest_worker_publish_failures_total")).isZero();
        assertThat(value(scrape, "vmtest_worker_dead_letters_total")).isZero();
        assertThat(value(scrape, "vmtest_worker_abort_gone_seconds_count")).isZero();
        assertThat(scrape).contains("jvm_memory_used_bytes{").contains("jvm_threads_live_threads{")
                .contains("system_cpu_count{").contains("kafka_producer_record_send_total{");
        HttpResponse<String> health = get(port, "/health");
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        assertThat(health.body()).startsWith("OK worker live1: 1 of 1 slot(s) taking jobs, 0 busy")
                .contains("libvirt connected");
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The sum of the samples of {@code name} whose labels contain every one of {@code labels}. */
    private static double value(String scrape, String name, String... labels) {
        Pattern sample = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$", Pattern.MULTILINE);
        Matcher m = sample.matcher(scrape);
        double sum = 0;
        boolean found = false;
        while (m.find()) {
            String set = m.group(1) == null ? "" : m.group(1);
            if (Arrays.stream(labels).allMatch(set::contains)) {
                sum += Double.parseDouble(m.group(2));
                found = true;
            }
        }
        assertThat(found).as("a sample of %s with %s in the scrape", name, List.of(labels)).isTrue();
        return sum;
    }

    @Test
    void aWorkerShutDownCleanlyReleasesItsJobToAnotherWorkerAtOnce() {
        JobRequested job;
        long closedAt;
        try (LateWorker b = startLater()) {
            Worker a = Worker.start(config("relA"));
            try {
                job = submit();
                assertThat(awaitStarted(job, 1, Duration.ofMinutes(2)).workerId()).isEqualTo("relA");
                awaitInstalling(job, 1);
                b.startNow(config("relB"));
            } finally {
                a.close();
            }
            closedAt = System.nanoTime();
            JobStarted second = awaitStarted(job, 2, LOCK);
            long redelivery = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closedAt);
            LOG.info("FIGURE clean shutdown: job taken by the other worker {} ms after close() returned (lock {} s)",
                    redelivery, LOCK.toSeconds());
            assertThat(second.workerId()).isEqualTo("relB");
            assertThat(redelivery).isLessThan(LOCK.toMillis() / 2);
            JobFinished finished = awaitFinished(job, Duration.ofMinutes(4));
            assertThat(finished.attempt()).isEqualTo(2);
            assertThat(finished.outcome()).as(finished.reason()).isEqualTo(Verdict.PASSED);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThat(stream.of(job.jobId(), JobFinished.class)).singleElement().extracting(JobFinished::attempt).isEqualTo(2);
        assertThat(stream.of(job.jobId(), Line.class)).anyMatch(l -> l.attempt() == 1 && l.source() == LineSource.WORKER
                && l.text().contains("job released for another worker"));
        assertThat(libvirt.domainsNamed("vmtest-relA-")).isEmpty();
    }

    @Test
    void twoWorkersWithOneSlotEachRunThreeJobsNeverTwoVmsOnOneWorker() throws Exception {
        List<JobRequested> jobs;
        try (Worker c = Worker.start(config("slotC")); Worker d = Worker.start(config("slotD"))) {
            jobs = List.of(submit(), submit(), submit());
            for (JobRequested job : jobs) {
                JobFinished f = awaitFinished(job, Duration.ofMinutes(6));
                assertThat(f.outcome()).as(f.reason()).isEqualTo(Verdict.PASSED);
            }
        }
        record Span(String worker, Instant from, Instant to) {
        }
        List<Span> spans = new ArrayList<>();
        for (JobRequested job : jobs) {
            JobStarted s = stream.of(job.jobId(), JobStarted.class).get(0);
            JobFinished f = stream.finished(job.jobId());
            assertThat(f.workerId()).isEqualTo(s.workerId());
            spans.add(new Span(s.workerId(), s.time(), f.time()));
        }
        LOG.info("FIGURE three jobs on two one-slot workers: {}", spans);
        for (Span x : spans) {
            for (Span y : spans) {
                if (x != y && x.worker().equals(y.worker())) {
                    assertThat(x.to().isBefore(y.from()) || y.to().isBefore(x.from()))
                            .as("%s and %s overlap on one worker", x, y).isTrue();
                }
            }
        }
    }

    /** A holder for a worker started in the middle of a test but closed by try-with-resources. */
    private static LateWorker startLater() {
        return new LateWorker();
    }

    private static final class LateWorker implements AutoCloseable {
        private Worker worker;

        void startNow(WorkerConfig config) throws Exception {
            worker = Worker.start(config);
        }

        @Override
        public void close() {
            if (worker != null) worker.close();
        }
    }
}
