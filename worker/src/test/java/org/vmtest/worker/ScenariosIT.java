package org.vmtest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
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
import org.vmtest.protocol.control.AbortJob;
import org.vmtest.protocol.control.ControlCommand;
import org.vmtest.protocol.jobs.JobMessage;
import org.vmtest.protocol.jobs.JobRequested;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.JobStarted;
import org.vmtest.protocol.stream.Line;
import org.vmtest.protocol.stream.PhaseChanged;
import org.vmtest.protocol.stream.StreamEvent;
import org.vmtest.protocol.stream.TestFinished;
import org.vmtest.testing.KafkaClusterExtension;
import org.vmtest.worker.control.AbortStats;
import org.vmtest.worker.vm.Hypervisor;

/** Each scenario of the test guest through a real worker: real broker, real libvirt/QEMU, real SSH. */
class ScenariosIT {
    private static final Logger LOG = LoggerFactory.getLogger(ScenariosIT.class);
    private static final JsonSerde<JobMessage> JOBS = JsonSerde.of(JobMessage.class);
    private static final JsonSerde<ControlCommand> CONTROL = JsonSerde.of(ControlCommand.class);

    @RegisterExtension
    static final KafkaClusterExtension kafka = new KafkaClusterExtension();

    @TempDir
    static Path work;

    static Worker worker;
    static StreamWatcher stream;
    static Hypervisor libvirt;

    @BeforeAll
    static void startWorker() throws Exception {
        kafka.createTopics();
        WorkerConfig config = WorkerConfig.defaults(kafka.settings()).withWorkerId("scen").withSlots(2)
                .withDirs(TestGuest.dir(), work);
        worker = Worker.start(config);
        stream = new StreamWatcher(kafka.settings());
        libvirt = Hypervisor.open(config.libvirtUri());
    }

    @AfterAll
    static void stopWorker() throws Exception {
        if (worker != null) worker.close();
        if (stream != null) stream.close();
        if (libvirt != null) libvirt.close();
    }

    private static JobRequested submit(Profile profile) {
        JobRequested job = TestGuest.job(profile);
        kafka.produce(kafka.topics().jobs(), job.jobId(), JOBS.encode(job));
        return job;
    }

    private static JobFinished awaitFinished(JobRequested job, Duration within) {
        try {
            await().atMost(within).pollInterval(Duration.ofMillis(200)).until(() -> stream.finished(job.jobId()) != null);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            List<Line> lines = lines(job.jobId());
            lines.subList(Math.max(0, lines.size() - 40), lines.size())
                    .forEach(l -> LOG.error("last lines of {}: {} {} {}", job.jobId(), l.phase(), l.source(), l.text()));
            throw e;
        }
        JobFinished finished = stream.finished(job.jobId());
        if (finished.outcome() != Verdict.PASSED) {
            lines(job.jobId()).stream().filter(l -> l.source() != LineSource.CONSOLE).limit(80)
                    .forEach(l -> LOG.info("{} {} {} {}", job.jobId(), l.phase(), l.source(), l.text()));
            stream.of(job.jobId(), TestFinished.class).forEach(t -> LOG.info("{} {}", job.jobId(), t));
        }
        return finished;
    }

    private static List<Line> lines(String jobId) {
        return stream.of(jobId, Line.class);
    }

    private static void assertNothingLeft(String jobId) throws IOException {
        assertThat(libvirt.domainsNamed(worker.config().workerId().isEmpty() ? "x" : "vmtest-scen-"))
                .noneMatch(n -> n.contains(jobId.replaceAll("[^A-Za-z0-9_.-]", "_")));
        Path overlays = worker.config().ownWorkDir().resolve("overlays");
        if (Files.isDirectory(overlays)) {
            try (Stream<Path> files = Files.list(overlays)) {
                assertThat(files.map(Path::toString)).noneMatch(f -> f.contains(jobId));
            }
        }
    }

    private static void assertSeqWithoutGaps(List<Line> lines) {
        for (int i = 0; i < lines.size(); i++) {
            assertThat(lines.get(i).seq()).as("seq of line %d", i).isEqualTo(i + 1L);
        }
    }

    @Test
    void passJobGoesThroughAllFivePhasesAndLeavesNothingBehind() throws IOException {
        JobRequested job = submit(TestGuest.profile("pass"));
        JobFinished finished = awaitFinished(job, Duration.ofMinutes(3));

        assertThat(finished.outcome()).as(finished.reason()).isEqualTo(Verdict.PASSED);
        assertThat(stream.of(job.jobId(), PhaseChanged.class)).extracting(PhaseChanged::phase)
                .containsExactly(Phase.PROVISIONING, Phase.INSTALLATION, Phase.REBOOT, Phase.TESTING, Phase.REPORTING);
        assertThat(finished.phaseMillis()).containsKeys(Phase.values());
        List<TestFinished> tests = stream.of(job.jobId(), TestFinished.class);
        assertThat(tests).hasSize(2).allMatch(TestFinished::passed);
        assertThat(stream.of(job.jobId(), JobStarted.class)).singleElement()
                // whichever the host has: the job reports what the worker's probe chose, never AUTO
                .satisfies(s -> assertThat(s.accelerator()).isEqualTo(worker.accelerator().wireName()).isIn("kvm", "tcg"))
                .satisfies(s -> assertThat(s.stallLimits()).containsKey(Phase.INSTALLATION));

        List<Line> lines = lines(job.jobId());
        assertSeqWithoutGaps(lines);
        String installedId = matchIn(lines, LineSource.SSH_STDOUT, "installation complete ([0-9a-f]+)");
        String bootedId = matchIn(lines, LineSource.CONSOLE, "booted installed system ([0-9a-f]+)");
        assertThat(bootedId).as("the installed marker survived the reboot").isEqualTo(installedId);
        assertThat(lines).anyMatch(l -> l.phase() == Phase.REBOOT && l.source() == LineSource.CONSOLE);
        assertThat(tests.get(0).outputTail()).contains(installedId);
        assertNothingLeft(job.jobId());

        report("pass", job.jobId(), finished);
    }

    @Test
    void failingSelftestGivesAFailingTestFinishedAndAFailedJob() {
        JobRequested job = submit(TestGuest.profile("test-fail"));
        JobFinished finished = awaitFinished(job, Duration.ofMinutes(3));

        assertThat(finished.outcome()).isEqualTo(Verdict.FAILED);
        assertThat(finished.reason()).contains("1 of 2 tests failed: selftest");
        TestFinished selftest = stream.of(job.jobId(), TestFinished.class, t -> t.name().equals("selftest")).get(0);
        assertThat(selftest.passed()).isFalse();
        assertThat(selftest.exitCode()).isEqualTo(1);
        assertThat(selftest.reason()).contains("exit status 1, expected 0");
        assertThat(selftest.outputTail()).contains("selftest: FAILED");
        assertThat(lines(job.jobId())).anyMatch(l -> l.source() == LineSource.SSH_STDERR && l.text().contains("selftest: FAILED"));
    }

    @Test
    void hangingInstallationIsEndedByThePhaseTimeout() throws IOException {
        Profile hang = TestGuest.withTimeouts(TestGuest.profile("hang"), Map.of(Phase.INSTALLATION, Duration.ofSeconds(12)));
        JobRequested job = submit(hang);
        JobFinished finished = awaitFinished(job, Duration.ofMinutes(2));

        assertThat(finished.outcome()).isEqualTo(Verdict.FAILED);
        assertThat(finished.lastPhase()).isEqualTo(Phase.INSTALLATION);
        assertThat(finished.reason()).isEqualTo("phase INSTALLATION timed out after 12 s");
        assertThat(finished.phaseMillis().get(Phase.INSTALLATION)).isBetween(11_500L, 20_000L);
        assertNothingLeft(job.jobId());
    }

    @Test
    void floodOfAHundredThousandConsoleLinesArrivesCompleteAndInOrder() {
        JobRequested job = submit(TestGuest.installOnly(TestGuest.profile("flood")));
        long t0 = System.nanoTime();
        JobFinished finished = awaitFinished(job, Duration.ofMinutes(5));
        long jobMillis = (System.nanoTime() - t0) / 1_000_000;

        assertThat(finished.outcome()).as(finished.reason()).isEqualTo(Verdict.PASSED);
        List<Line> lines = lines(job.jobId());
        assertSeqWithoutGaps(lines);
        Pattern flood = Pattern.compile("^vmtest-flood (\\d+)$");
        List<Line> floodLines = new ArrayList<>();
        List<Long> numbers = new ArrayList<>();
        List<String> mangled = new ArrayList<>();
        for (Line l : lines) {
            if (l.source() != LineSource.CONSOLE) continue;
            Matcher m = flood.matcher(l.text());
            if (!m.matches() && l.text().contains("vmtest-flood ")) mangled.add("#" + l.seq() + " " + l.text());
            if (m.matches()) {
                numbers.add(Long.parseLong(m.group(1)));
                floodLines.add(l);
            }
        }
        assertThat(mangled).as("flood lines that arrived mixed with something else").isEmpty();
        for (int i = 0; i < numbers.size(); i++) {
            assertThat(numbers.get(i)).as("flood line number %d in arrival order", i + 1).isEqualTo(i + 1L);
        }
        assertThat(numbers).hasSize(100_000);
        Instant first = floodLines.get(0).time();
        Instant last = floodLines.get(floodLines.size() - 1).time();
        double seconds = Math.max(1, Duration.between(first, last).toMillis()) / 1000.0;
        LOG.info("FIGURE flood: 100000 console lines in {} s = {} lines/s; job {} ms in all; {} lines published",
                seconds, Math.round(100_000 / seconds), jobMillis, lines.size());
    }

    @Test
    void garbageOutputIsSanitisedAndTheJobCarriesOn() {
        JobRequested job = submit(TestGuest.installOnly(TestGuest.profile("garbage")));
        JobFinished finished = awaitFinished(job, Duration.ofMinutes(3));

        assertThat(finished.outcome()).as(finished.reason()).isEqualTo(Verdict.PASSED);
        List<Line> lines = lines(job.jobId());
        assertSeqWithoutGaps(lines);
        assertThat(lines).allSatisfy(l -> {
            assertThat(l.text().length()).isLessThanOrEqualTo(Line.MAX_TEXT_CHARS);
            assertThat(l.text().chars()).noneMatch(c -> c != '\t' && (c < 0x20 || (c >= 0x7f && c <= 0x9f)));
        });
        assertThat(lines).anyMatch(l -> l.text().equals("vmtest-garbage: red bold green white on blue"));
        assertThat(lines).anyMatch(l -> l.text().startsWith("vmtest-garbage: invalid utf-8 \uFFFD\uFFFD"));
        int start = 0;
        while (!(lines.get(start).source() == LineSource.CONSOLE && lines.get(start).text().startsWith("xxxxxxxx"))) start++;
        List<Line> megabyte = new ArrayList<>();
        for (int i = start; ; i++) {
            megabyte.add(lines.get(i));
            if (!lines.get(i).continued()) break;
        }
        assertThat(megabyte).allMatch(l -> l.text().chars().allMatch(c -> c == 'x'));
        assertThat(megabyte.stream().mapToInt(l -> l.text().length()).sum()).isEqualTo(1 << 20);
        assertThat(megabyte.size()).isGreaterThanOrEqualTo((1 << 20) / Line.MAX_TEXT_CHARS);
        assertThat(lines).anyMatch(l -> l.text().equals("vmtest-garbage: done"));
    }

    @Test
    void abortDuringInstallationStopsTheGuestAtOnceThenDestroysTheDomain() throws IOException {
        // one after the other: each abort must find its job in INSTALLATION, whatever slot takes it when
        for (int i = 0; i < 2; i++) {
            JobRequested job = submit(TestGuest.profile("hang"));
            await().atMost(Duration.ofMinutes(2)).until(() -> lines(job.jobId()).stream()
                    .anyMatch(l -> l.phase() == Phase.INSTALLATION && l.text().contains("[ 40%]")));
            String domain = stream.of(job.jobId(), JobStarted.class).get(0).domain();
            assertThat(libvirt.isRunning(domain)).isTrue();
            AbortJob abort = new AbortJob(job.jobId(), job.runId(), Instant.now(), "kernel panic seen", "kernel.panic", 42);
            kafka.produce(kafka.topics().control(), job.jobId(), CONTROL.encode(abort));
            JobFinished finished = awaitFinished(job, Duration.ofSeconds(30));
            assertThat(finished.outcome()).isEqualTo(Verdict.ABORTED);
            assertThat(finished.reason()).matches(
                    "aborted: kernel panic seen \\(VM stopped \\d+ ms, domain destroyed \\d+ ms after the abort was issued\\)");
            assertThat(libvirt.isRunning(domain)).isFalse();
            assertNothingLeft(job.jobId());
        }
        LOG.info("FIGURE abort latency (control record timestamp -> guest stopped / domain gone): {}; stopped p50 {} ms,"
                + " p99 {} ms; gone p50 {} ms, p99 {} ms", worker.aborts().all(),
                worker.aborts().stoppedPercentile(50).orElse(-1), worker.aborts().stoppedPercentile(99).orElse(-1),
                worker.aborts().gonePercentile(50).orElse(-1), worker.aborts().gonePercentile(99).orElse(-1));
        assertThat(worker.aborts().all()).hasSize(2).allSatisfy(a -> {
            assertThat(a.stoppedMillis()).isNotNegative();
            assertThat(a.stoppedMillis()).isLessThanOrEqualTo(a.goneMillis());
        });
        // two shared cores under heavy load: libvirt's destroy alone took up to ~2.5 s in this environment
        assertThat(worker.aborts().gonePercentile(99).orElseThrow()).isLessThan(5000);

        // the same figures for an operator: only this test aborts on this worker
        MeterRegistry metrics = worker.metrics().registry();
        assertThat(metrics.get("vmtest_worker_abort_stopped").timer().count()).isEqualTo(2);
        assertThat(metrics.get("vmtest_worker_abort_gone").timer().totalTime(TimeUnit.MILLISECONDS))
                .isEqualTo(worker.aborts().all().stream().mapToLong(AbortStats.Abort::goneMillis).sum());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                metrics.get("vmtest_worker_jobs").tag("verdict", "ABORTED").counter().count()).isEqualTo(2));
    }

    private static String matchIn(List<Line> lines, LineSource source, String regex) {
        Pattern p = Pattern.compile(regex);
        for (Line l : lines) {
            if (l.source() != source) continue;
            Matcher m = p.matcher(l.text());
            if (m.find()) return m.group(1);
        }
        throw new AssertionError("no " + source + " line matches /" + regex + "/");
    }

    private static void report(String name, String jobId, JobFinished finished) {
        List<StreamEvent> events = stream.of(jobId);
        String sshUp = lines(jobId).stream().filter(l -> l.text().startsWith("provisioning: ")).map(Line::text).findFirst().orElse("?");
        String back = lines(jobId).stream().filter(l -> l.text().startsWith("guest back after")).map(Line::text).findFirst().orElse("?");
        long total = Duration.between(events.get(0).time(), finished.time()).toMillis();
        LOG.info("FIGURE {}: {}; {}; phases {} ms; total {} ms", name, sshUp, back, finished.phaseMillis(), total);
    }
}
