package org.vmtest.analyzer.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.analyzer.AnalyzerConfig;
import org.vmtest.analyzer.patterns.PatternLibrary;
import org.vmtest.protocol.Action;
import org.vmtest.protocol.Category;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.control.AbortJob;
import org.vmtest.protocol.control.ControlCommand;
import org.vmtest.protocol.dlq.DeadLetter;
import org.vmtest.protocol.dlq.DeadLetterBuilder;
import org.vmtest.protocol.jobs.PatternSpec;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.kafka.Topics;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.JobStarted;
import org.vmtest.protocol.stream.Line;
import org.vmtest.protocol.stream.PhaseChanged;
import org.vmtest.protocol.stream.StreamEvent;
import org.vmtest.protocol.stream.TestFinished;
import org.vmtest.protocol.verdicts.Finding;
import org.vmtest.protocol.verdicts.JobVerdict;
import org.vmtest.protocol.verdicts.Thought;
import org.vmtest.protocol.verdicts.VerdictEvent;

/** The analyzer's topology with the built-in pattern library, driven record by record and tick by tick. */
class AnalyzerTopologyTest {
    private static final PatternLibrary LIBRARY = PatternLibrary.builtIn();
    private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");
    private static final Topics TOPICS = Topics.defaults();
    private static final JsonSerde<StreamEvent> EVENTS = JsonSerde.of(StreamEvent.class);

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> stream;
    private TestOutputTopic<String, VerdictEvent> verdicts;
    private TestOutputTopic<String, ControlCommand> control;
    private TestOutputTopic<String, DeadLetter> dlq;
    private Instant now = T0;

    @BeforeEach
    void startDriver() {
        AnalyzerConfig config = AnalyzerConfig.of(KafkaSettings.of("unused:9092"))
                .withDefaultStallLimit(Duration.ofSeconds(120)).validated();
        Properties props = config.kafka().streams("test-analyzer");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(AnalyzerTopology.build(config, LIBRARY), props, T0);
        stream = driver.createInputTopic(TOPICS.stream(), new StringSerializer(), new ByteArraySerializer());
        verdicts = driver.createOutputTopic(TOPICS.verdicts(), new StringDeserializer(),
                JsonSerde.of(VerdictEvent.class).serde().deserializer());
        control = driver.createOutputTopic(TOPICS.control(), new StringDeserializer(),
                JsonSerde.of(ControlCommand.class).serde().deserializer());
        dlq = driver.createOutputTopic(TOPICS.dlq(), new StringDeserializer(),
                JsonSerde.of(DeadLetter.class).serde().deserializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    // ---- aborts ----------------------------------------------------------------------------------------------

    @Test
    void panicReportAbortsOnceWhenItsEndMarkerArrivesWithTheWholeReport() {
        Job job = new Job("job-panic", "run-1", 1);
        job.start(Map.of(), List.of());
        job.phase(Phase.INSTALLATION);
        KernelReports.healthyInstallLines().forEach(job::console);
        List<String> report = KernelReports.panicReport();
        for (String line : report.subList(0, report.size() - 1)) job.console(line);
        assertThat(control.readValuesToList()).as("no abort before the report is complete").isEmpty();

        job.console(report.get(report.size() - 1));

        List<ControlCommand> commands = control.readRecordsToList().stream().map(r -> {
            assertThat(r.key()).isEqualTo("job-panic");
            return r.value();
        }).toList();
        assertThat(commands).singleElement().isInstanceOfSatisfying(AbortJob.class, abort -> {
            assertThat(abort.runId()).isEqualTo("run-1");
            assertThat(abort.patternId()).startsWith("kernel.");
            assertThat(abort.lineSeq()).isEqualTo(7);
        });
        List<VerdictEvent> out = verdicts.readValuesToList();
        Finding panic = findings(out).stream().filter(f -> f.action() == Action.ABORT).findFirst().orElseThrow();
        assertThat(panic.category()).isEqualTo(Category.CRITICAL);
        assertThat(panic.lineSeq()).isEqualTo(7);
        assertThat(panic.phase()).isEqualTo(Phase.INSTALLATION);
        assertThat(panic.block()).hasSize(30);
        assertThat(panic.block().get(0)).contains("Kernel panic - not syncing: sysrq triggered crash");
        assertThat(panic.block().get(29)).contains("---[ end Kernel panic");
        Thought why = thoughts(out).stream().filter(t -> t.decision().equals("abort")).findFirst().orElseThrow();
        assertThat(why.observed()).contains("Kernel panic - not syncing").contains("line 7").contains("INSTALLATION");
        assertThat(why.reason()).contains("destroying the VM");

        // The guest goes on printing while the VM is destroyed: a later crash is a finding, never a second abort.
        for (int i = 0; i < 120; i++) job.console("vmtest-install: still writing block " + i);
        job.console("[   14.600000] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000009");
        job.console("[   14.600100] ---[ end Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000009 ]---");
        assertThat(control.readValuesToList()).isEmpty();
        assertThat(thoughts(verdicts.readValuesToList())).extracting(Thought::decision).contains("already aborting");

        job.finish(Verdict.ABORTED, "aborted by the analyzer");
        JobVerdict verdict = single(verdicts.readValuesToList(), JobVerdict.class);
        assertThat(verdict.verdict()).isEqualTo(Verdict.ABORTED);
        assertThat(verdict.failure()).isNotNull();
        assertThat(verdict.failure().patternId()).isEqualTo(panic.patternId());
        assertThat(verdict.failure().block()).hasSize(30);
        assertThat(verdict.failure().context()).as("lines before the report").isNotEmpty();
        assertThat(verdict.failure().phase()).isEqualTo(Phase.INSTALLATION);
    }

    @Test
    void abortedJobIsAnalysedByItsCrashEvenAfterAnEarlierFailurePattern() {
        PatternSpec fail = new PatternSpec("profile.install-step-failed", "install step (?<step>\\w+) FAILED",
                Category.FAILURE, Action.FAIL, "install step ${step} failed", List.of(), List.of(), null);
        Job job = new Job("job-fail-then-panic", "run-17", 1);
        job.start(Map.of(), List.of(fail));
        job.phase(Phase.INSTALLATION);
        job.console("install step bootloader FAILED");
        KernelReports.panicReport().forEach(job::console);
        job.finish(Verdict.ABORTED, "aborted by the analyzer");
        List<VerdictEvent> out = verdicts.readValuesToList();
        assertThat(thoughts(out)).extracting(Thought::decision)
                .contains("verdict will be FAILED, keep watching", "abort", "verdict ABORTED");
        JobVerdict v = single(out, JobVerdict.class);
        assertThat(v.verdict()).isEqualTo(Verdict.ABORTED);
        assertThat(v.reason()).startsWith("critical finding: Kernel panic");
        assertThat(v.failure().patternId()).isEqualTo(control.readValue() instanceof AbortJob a ? a.patternId() : "?");
        assertThat(v.failure().block()).hasSize(30);
        assertThat(v.findings()).contains("install step bootloader failed");
    }

    @Test
    void reportWithoutEndMarkerAbortsWhenTheGracePasses() {
        Job job = new Job("job-grace", "run-2", 1);
        job.start(Map.of(), List.of());
        job.phase(Phase.INSTALLATION);
        List<String> report = KernelReports.panicReport();
        for (String line : report.subList(0, 12)) job.console(line);

        advance(Duration.ofMillis(1000));
        assertThat(control.readValuesToList()).as("within the grace").isEmpty();

        advance(Duration.ofMillis(1200));
        assertThat(control.readValuesToList()).singleElement().isInstanceOf(AbortJob.class);
        Finding panic = findings(verdicts.readValuesToList()).stream()
                .filter(f -> f.action() == Action.ABORT).findFirst().orElseThrow();
        assertThat(panic.block()).hasSize(12);

        advance(Duration.ofSeconds(5));
        assertThat(control.readValuesToList()).isEmpty();
    }

    // ---- stalls ----------------------------------------------------------------------------------------------

    @Test
    void silentPhaseIsOneStallFindingPerSilence() {
        Job job = new Job("job-hang", "run-3", 1);
        job.start(Map.of(Phase.INSTALLATION, Duration.ofSeconds(60)), List.of());
        job.phase(Phase.INSTALLATION);
        job.console("vmtest-install: partitioning /dev/vda");
        verdicts.readValuesToList();

        advanceInSteps(Duration.ofSeconds(59));
        assertThat(findings(verdicts.readValuesToList())).isEmpty();

        advanceInSteps(Duration.ofSeconds(5));
        List<VerdictEvent> out = verdicts.readValuesToList();
        assertThat(findings(out)).singleElement().satisfies(f -> {
            assertThat(f.patternId()).isEqualTo("stall");
            assertThat(f.phase()).isEqualTo(Phase.INSTALLATION);
            assertThat(f.lineSeq()).isEqualTo(1);
            assertThat(f.title()).isEqualTo("no output for 60 s during INSTALLATION");
        });
        assertThat(thoughts(out)).singleElement().satisfies(t -> assertThat(t.observed()).contains("no output"));

        advanceInSteps(Duration.ofMinutes(3));
        assertThat(verdicts.readValuesToList()).as("the same silence is not reported again").isEmpty();

        job.console("vmtest-install: 50% copying base system");
        advanceInSteps(Duration.ofSeconds(65));
        assertThat(findings(verdicts.readValuesToList())).as("a new silence").singleElement()
                .extracting(Finding::patternId).isEqualTo("stall");
    }

    @Test
    void phaseWithoutItsOwnLimitUsesTheDefaultAndReportingNeverStalls() {
        Job job = new Job("job-default", "run-4", 1);
        job.start(Map.of(), List.of());
        job.phase(Phase.TESTING);
        verdicts.readValuesToList();
        advanceInSteps(Duration.ofSeconds(110));
        assertThat(findings(verdicts.readValuesToList())).isEmpty();
        advanceInSteps(Duration.ofSeconds(15));
        assertThat(findings(verdicts.readValuesToList())).extracting(Finding::title)
                .containsExactly("no output for 120 s during TESTING");

        job.phase(Phase.REPORTING);
        advanceInSteps(Duration.ofMinutes(5));
        assertThat(findings(verdicts.readValuesToList())).isEmpty();
    }

    // ---- verdicts --------------------------------------------------------------------------------------------

    @Test
    void cleanJobWithPassingTestsIsPassed() {
        Job job = new Job("job-pass", "run-5", 1);
        job.start(Map.of(), List.of());
        job.phase(Phase.INSTALLATION);
        KernelReports.healthyInstallLines().forEach(job::console);
        job.phase(Phase.TESTING);
        job.test("selftest", true, "");
        job.finish(Verdict.PASSED, "");
        List<VerdictEvent> out = verdicts.readValuesToList();
        JobVerdict v = single(out, JobVerdict.class);
        assertThat(v.verdict()).isEqualTo(Verdict.PASSED);
        assertThat(v.failure()).isNull();
        assertThat(v.testsPassed()).isEqualTo(1);
        assertThat(v.profile()).isEqualTo("test-profile");
        assertThat(thoughts(out)).extracting(Thought::decision).contains("watch", "verdict PASSED");
        assertThat(control.isEmpty()).isTrue();
    }

    @Test
    void failedTestMakesTheJobFailedWithTheTestAsAnalysis() {
        Job job = new Job("job-testfail", "run-6", 1);
        job.start(Map.of(), List.of());
        job.phase(Phase.TESTING);
        job.test("installed system survived the reboot", true, "");
        job.test("selftest", false, "output did not match 'selftest: ok'");
        job.finish(Verdict.FAILED, "1 test failed");
        JobVerdict v = single(verdicts.readValuesToList(), JobVerdict.class);
        assertThat(v.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(v.testsPassed()).isEqualTo(1);
        assertThat(v.testsFailed()).isEqualTo(1);
        assertThat(v.failure().title()).startsWith("test selftest failed");
        assertThat(v.failure().block()).containsExactly("selftest: disk check FAILED", "selftest: 1 of 3 checks failed");
    }

    @Test
    void failurePatternFromTheProfileMakesTheJobFailedWithoutAborting() {
        PatternSpec fail = new PatternSpec("profile.selftest-failed", "selftest: (?<what>\\w+) check FAILED",
                Category.FAILURE, Action.FAIL, "selftest ${what} check failed", List.of(), List.of(), null);
        Job job = new Job("job-failpattern", "run-7", 1);
        job.start(Map.of(), List.of(fail));
        job.phase(Phase.TESTING);
        job.ssh("selftest: disk check FAILED");
        job.finish(Verdict.PASSED, "");
        List<VerdictEvent> out = verdicts.readValuesToList();
        assertThat(findings(out)).singleElement().satisfies(f -> {
            assertThat(f.patternId()).isEqualTo("profile.selftest-failed");
            assertThat(f.title()).isEqualTo("selftest disk check failed");
            assertThat(f.source()).isEqualTo(LineSource.SSH_STDOUT);
        });
        JobVerdict v = single(out, JobVerdict.class);
        assertThat(v.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(v.failure().patternId()).isEqualTo("profile.selftest-failed");
        assertThat(v.findings()).containsExactly("selftest disk check failed");
        assertThat(control.isEmpty()).isTrue();
    }

    @Test
    void infrastructureErrorIsErrorNotFailed() {
        Job job = new Job("job-error", "run-8", 1);
        job.start(Map.of(), List.of());
        job.phase(Phase.PROVISIONING);
        job.test("selftest", false, "connection lost");
        job.finish(Verdict.ERROR, "SSH never came up within 3m");
        JobVerdict v = single(verdicts.readValuesToList(), JobVerdict.class);
        assertThat(v.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(v.reason()).contains("SSH never came up");
        assertThat(v.failure().patternId()).isEqualTo("worker");
    }

    @Test
    void jobStoppedByTheWorkerIsAborted() {
        Job job = new Job("job-cancel", "run-9", 1);
        job.start(Map.of(), List.of());
        job.finish(Verdict.ABORTED, "cancelled by user");
        JobVerdict v = single(verdicts.readValuesToList(), JobVerdict.class);
        assertThat(v.verdict()).isEqualTo(Verdict.ABORTED);
        assertThat(v.failure().title()).contains("cancelled by user");
    }

    @Test
    void exactlyOneVerdictPerJobAndOnlyAMarkerIsKeptAfterwards() {
        Job job = new Job("job-once", "run-10", 1);
        job.start(Map.of(), List.of());
        job.finish(Verdict.PASSED, "");
        assertThat(verdicts.readValuesToList()).filteredOn(JobVerdict.class::isInstance).hasSize(1);
        job.console("a late line after the job ended");
        advanceInSteps(Duration.ofMinutes(5));
        assertThat(verdicts.readValuesToList()).as("nothing left to stall or match").isEmpty();
        JobState marker = ((JobStateStore) driver.getStateStore(AnalyzerTopology.JOB_STORE)).get("job-once");
        assertThat(marker.verdictSent).isTrue();
        assertThat(marker.lines).isZero();
        advance(Duration.ofHours(25));
        assertThat(verdicts.readValuesToList()).as("the marker goes silently").isEmpty();
        assertThat(((JobStateStore) driver.getStateStore(AnalyzerTopology.JOB_STORE)).get("job-once")).isNull();
    }

    @Test
    void aJobDeliveredAgainAfterItsVerdictGetsNoSecondVerdict() {
        Job first = new Job("job-again", "run-19", 1);
        first.start(Map.of(), List.of());
        first.finish(Verdict.FAILED, "1 of 2 tests failed");
        first.finish(Verdict.FAILED, "1 of 2 tests failed");
        Job second = new Job("job-again", "run-19", 2);
        second.start(Map.of(), List.of());
        second.console("vmtest-guest: boot scenario=pass");
        second.finish(Verdict.PASSED, "");

        List<JobVerdict> all = verdicts.readValuesToList().stream().filter(JobVerdict.class::isInstance)
                .map(JobVerdict.class::cast).toList();
        assertThat(all).singleElement().satisfies(v -> {
            assertThat(v.verdict()).isEqualTo(Verdict.FAILED);
            assertThat(v.attempt()).isEqualTo(1);
        });
    }

    @Test
    void jobStateIsWrittenToItsChangelogOnCommitAndShrinksToAMarkerWhenTheJobEnds() {
        var changelog = driver.createOutputTopic("test-analyzer-" + AnalyzerTopology.JOB_STORE + "-changelog",
                new StringDeserializer(), new StringDeserializer());
        Job job = new Job("job-state", "run-18", 1);
        job.start(Map.of(), List.of());
        job.phase(Phase.INSTALLATION);
        job.console("vmtest-install: partitioning /dev/vda");
        var written = changelog.readKeyValuesToList();
        assertThat(written).isNotEmpty().allSatisfy(kv -> assertThat(kv.key).isEqualTo("job-state"));
        assertThat(written.get(written.size() - 1).value).contains("\"runId\":\"run-18\"").contains("\"lines\":1");
        job.finish(Verdict.PASSED, "");
        var last = changelog.readKeyValuesToList();
        assertThat(last.get(last.size() - 1).value).contains("\"verdictSent\":true").contains("\"lines\":0");
    }

    @Test
    void jobFinishedWithoutJobStartedStillGetsAVerdict() {
        Job job = new Job("job-unseen", "run-11", 1);
        job.finish(Verdict.ERROR, "the VM could not start");
        JobVerdict v = single(verdicts.readValuesToList(), JobVerdict.class);
        assertThat(v.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(v.runId()).isEqualTo("run-11");
    }

    @Test
    void jobSilentForADayIsForgotten() {
        Job job = new Job("job-abandoned", "run-16", 1);
        job.start(Map.of(), List.of());
        job.phase(Phase.INSTALLATION);
        verdicts.readValuesToList();
        advance(Duration.ofHours(25));
        assertThat(thoughts(verdicts.readValuesToList())).extracting(Thought::decision).containsExactly("forget the job");
        assertThat(((JobStateStore) driver.getStateStore(AnalyzerTopology.JOB_STORE)).get("job-abandoned")).isNull();
    }

    // ---- attempts --------------------------------------------------------------------------------------------

    @Test
    void linesOfAStaleAttemptAreIgnored() {
        Job first = new Job("job-retry", "run-12", 1);
        first.start(Map.of(), List.of());
        first.phase(Phase.INSTALLATION);
        Job second = new Job("job-retry", "run-12", 2);
        second.start(Map.of(), List.of());
        second.phase(Phase.INSTALLATION);
        verdicts.readValuesToList();

        // The lost worker's VM still prints: its panic must not abort the new attempt.
        KernelReports.panicReport().forEach(first::console);
        first.finish(Verdict.ERROR, "worker lost");
        advanceInSteps(Duration.ofSeconds(5));
        assertThat(control.readValuesToList()).isEmpty();
        assertThat(verdicts.readValuesToList()).isEmpty();

        KernelReports.healthyInstallLines().forEach(second::console);
        second.finish(Verdict.PASSED, "");
        JobVerdict v = single(verdicts.readValuesToList(), JobVerdict.class);
        assertThat(v.attempt()).isEqualTo(2);
        assertThat(v.verdict()).isEqualTo(Verdict.PASSED);
    }

    // ---- volume ----------------------------------------------------------------------------------------------

    @Test
    void consoleFloodOfOneMessageIsOneFinding() {
        PatternSpec copying = new PatternSpec("profile.copying", "copying path '(?<path>[^']+)'", Category.PROGRESS,
                null, "copying paths", List.of(), List.of(), null);
        Job job = new Job("job-flood", "run-13", 1);
        job.start(Map.of(), List.of(copying));
        job.phase(Phase.INSTALLATION);
        for (int i = 0; i < 2_000; i++) {
            job.console("copying path '/nix/store/" + Integer.toHexString(i * 7919) + "-glibc-2.39' from 'https://cache.nixos.org'...");
        }
        job.finish(Verdict.PASSED, "");
        List<VerdictEvent> out = verdicts.readValuesToList();
        assertThat(findings(out)).hasSize(1);
        assertThat(single(out, JobVerdict.class).verdict()).isEqualTo(Verdict.PASSED);
    }

    // ---- bad input -------------------------------------------------------------------------------------------

    @Test
    void malformedRecordGoesToDeadLetterTopicAndTheNextRecordIsProcessed() {
        stream.pipeInput("job-bad", "{\"type\":\"Line\",\"jobId\":".getBytes(StandardCharsets.UTF_8), now);
        stream.pipeInput("job-bad", "{\"type\":\"Line\",\"jobId\":\"job-bad\",\"attempt\":1,\"seq\":0,\"source\":\"CONSOLE\",\"phase\":\"INSTALLATION\",\"time\":\"2025-03-01T10:00:00Z\",\"text\":\"x\",\"continued\":false}"
                .getBytes(StandardCharsets.UTF_8), now);
        stream.pipeInput("job-bad", (byte[]) null, now);

        Job job = new Job("job-bad", "run-14", 1);
        job.start(Map.of(), List.of());

        var letters = dlq.readRecordsToList();
        assertThat(letters).hasSize(3);
        assertThat(letters).allSatisfy(r -> {
            assertThat(r.key()).isEqualTo("job-bad");
            assertThat(r.value().consumer()).isEqualTo("analyzer");
            assertThat(r.value().topic()).isEqualTo(TOPICS.stream());
            assertThat(r.value().partition()).isZero();
        });
        assertThat(letters).extracting(r -> r.value().offset()).containsExactly(0L, 1L, 2L);
        assertThat(letters.get(1).value().error()).contains("seq starts at 1");
        assertThat(new String(Base64.getDecoder().decode(letters.get(0).value().valueBase64()), StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"Line\",\"jobId\":");
        assertThat(thoughts(verdicts.readValuesToList())).extracting(Thought::decision).containsExactly("watch");
    }

    @Test
    void megabyteOfBinaryGarbageGoesToDeadLetterTopicInBoundedTime() {
        byte[] garbage = new byte[1024 * 1024];
        new Random(42).nextBytes(garbage);
        assertTimeout(Duration.ofSeconds(5), () -> stream.pipeInput("job-garbage", garbage, now));
        Job job = new Job("job-garbage", "run-15", 1);
        job.start(Map.of(), List.of());
        job.console("still listening");
        job.finish(Verdict.PASSED, "");

        DeadLetter letter = dlq.readValue();
        assertThat(letter.error()).contains("1048576 bytes");
        assertThat(Base64.getDecoder().decode(letter.valueBase64())).hasSize(DeadLetterBuilder.MAX_VALUE_BYTES);
        assertThat(dlq.isEmpty()).isTrue();
        assertThat(single(verdicts.readValuesToList(), JobVerdict.class).verdict()).isEqualTo(Verdict.PASSED);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private void advance(Duration d) {
        now = now.plus(d);
        driver.advanceWallClockTime(d);
    }

    /** Advances like real time does, one stall check interval at a time. */
    private void advanceInSteps(Duration d) {
        for (long s = 0; s < d.toSeconds(); s++) advance(Duration.ofSeconds(1));
    }

    private static List<Finding> findings(List<VerdictEvent> events) {
        return events.stream().filter(Finding.class::isInstance).map(Finding.class::cast).toList();
    }

    private static List<Thought> thoughts(List<VerdictEvent> events) {
        return events.stream().filter(Thought.class::isInstance).map(Thought.class::cast).toList();
    }

    private static <T> T single(List<VerdictEvent> events, Class<T> type) {
        List<T> matching = events.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(matching).as("exactly one %s", type.getSimpleName()).hasSize(1);
        return matching.get(0);
    }

    /** One attempt of one job, as its worker would stream it. */
    private final class Job {
        private final String jobId;
        private final String runId;
        private final int attempt;
        private long seq;
        private Phase phase = Phase.PROVISIONING;

        Job(String jobId, String runId, int attempt) {
            this.jobId = jobId;
            this.runId = runId;
            this.attempt = attempt;
        }

        void start(Map<Phase, Duration> stallLimits, List<PatternSpec> patterns) {
            send(new JobStarted(jobId, attempt, now, runId, "test-profile", "worker-1", "vmtest-" + jobId, "tcg",
                    stallLimits, patterns));
        }

        void phase(Phase p) {
            phase = p;
            send(new PhaseChanged(jobId, attempt, now, runId, p));
        }

        void console(String text) {
            send(new Line(jobId, attempt, ++seq, LineSource.CONSOLE, phase, now, text, false));
        }

        void ssh(String text) {
            send(new Line(jobId, attempt, ++seq, LineSource.SSH_STDOUT, phase, now, text, false));
        }

        void test(String name, boolean passed, String reason) {
            String tail = passed ? "selftest: ok\n" : "selftest: disk check FAILED\nselftest: 1 of 3 checks failed\n";
            send(new TestFinished(jobId, attempt, now, runId, name, passed, passed ? 0 : 1, 1200, reason, tail));
        }

        void finish(Verdict outcome, String reason) {
            send(new JobFinished(jobId, attempt, now, runId, outcome, reason, phase, Map.of(phase, 1000L), "worker-1"));
        }

        private void send(StreamEvent e) {
            stream.pipeInput(jobId, EVENTS.encode(e), now);
        }
    }
}
