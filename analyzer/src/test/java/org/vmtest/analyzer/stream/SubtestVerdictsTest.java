package org.vmtest.analyzer.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
import org.vmtest.issues.KnownIssueRegistry;
import org.vmtest.analyzer.patterns.PatternLibrary;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.issues.KnownIssue;
import org.vmtest.protocol.issues.KnownIssueMatch;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.kafka.Topics;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.JobStarted;
import org.vmtest.protocol.stream.Line;
import org.vmtest.protocol.stream.StreamEvent;
import org.vmtest.protocol.stream.TestFinished;
import org.vmtest.protocol.verdicts.JobVerdict;
import org.vmtest.protocol.verdicts.KnownIssueRef;
import org.vmtest.protocol.verdicts.SubtestResult;
import org.vmtest.protocol.verdicts.TestOutcome;
import org.vmtest.protocol.verdicts.VerdictEvent;

/** Subtests a test reports in TAP on its standard output, weighed into the JobVerdict. */
class SubtestVerdictsTest {
    private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");
    private static final JsonSerde<StreamEvent> EVENTS = JsonSerde.of(StreamEvent.class);
    private static final String PANIC = "Kernel panic - not syncing: sysrq triggered crash";

    @TempDir
    Path stateDir;
    private final KnownIssueRegistry registry = new KnownIssueRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> stream;
    private TestOutputTopic<String, VerdictEvent> verdicts;

    @BeforeEach
    void startDriver() {
        AnalyzerConfig config = AnalyzerConfig.of(KafkaSettings.of("unused:9092")).validated();
        Properties props = config.kafka().streams("test-analyzer");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(AnalyzerTopology.build(config, PatternLibrary.builtIn(), AnalyzerMetrics.none(),
                ExpressControl.none(), registry), props, T0);
        stream = driver.createInputTopic(Topics.defaults().stream(), new StringSerializer(), new ByteArraySerializer());
        verdicts = driver.createOutputTopic(Topics.defaults().verdicts(), new StringDeserializer(),
                JsonSerde.of(VerdictEvent.class).serde().deserializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void aFailingSubtestFailsATestWhoseCommandPassedAndNamesTheSubtest() {
        registry.put(issue("disk", KnownIssueMatch.titleRegex("disk full"), List.of()));
        start("j-1", "suite");
        ssh("j-1", 1, "TAP version 13");
        ssh("j-1", 2, "1..2");
        ssh("j-1", 3, "ok 1 - mount");
        ssh("j-1", 4, "not ok 2 - disk full");
        ssh("j-1", 5, "  ---");
        ssh("j-1", 6, "  message: no space left");
        ssh("j-1", 7, "  ...");
        send(new TestFinished("j-1", 1, T0, "r-1", "suite", true, 0, 10, "", "ok\n"));
        send(new TestFinished("j-1", 1, T0, "r-1", "plain", true, 0, 10, "", ""));
        finish("j-1", Verdict.PASSED);

        JobVerdict v = verdict(verdicts.readValuesToList());

        assertThat(v.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(v.testsFailed()).isEqualTo(1);
        assertThat(v.testsPassed()).isEqualTo(1);
        assertThat(v.tests()).extracting(TestOutcome::name).containsExactly("suite", "plain");
        assertThat(v.tests().get(0).subtests()).containsExactly(new SubtestResult("mount", true, false, ""),
                new SubtestResult("disk full", false, false, "no space left"));
        assertThat(v.tests().get(0).reason()).isEqualTo("subtest disk full failed: no space left");
        assertThat(v.tests().get(1).subtests()).as("the next test reported no TAP").isEmpty();
        // the library's tap.not-ok pattern saw the line first: its finding is the failure analysis
        assertThat(v.failure().title()).contains("disk full");
        assertThat(v.failure().knownIssue()).extracting(KnownIssueRef::id).isEqualTo("disk");
    }

    @Test
    void aSubtestFailureNoPatternSawIsTheFailureWithTheTestAndSubtestName() {
        start("j-1", "suite");
        ssh("j-1", 1, "TAP version 13");
        ssh("j-1", 2, "1..3");
        ssh("j-1", 3, "ok 1 - mount");
        send(new TestFinished("j-1", 1, T0, "r-1", "suite", true, 0, 10, "", ""));
        finish("j-1", Verdict.PASSED);

        JobVerdict v = verdict(verdicts.readValuesToList());

        assertThat(v.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(v.failure().title()).isEqualTo("test suite / plan failed: planned 3 tests, 1 ran");
        assertThat(v.failure().signature()).isEqualTo(Signatures.of("test suite / plan"));
    }

    @Test
    void tapOnTheConsoleOrDuringInstallationIsNotASubtest() {
        start("j-1", "suite");
        send(new Line("j-1", 1, 1, LineSource.SSH_STDOUT, Phase.INSTALLATION, T0, "TAP version 13", false));
        send(new Line("j-1", 1, 2, LineSource.SSH_STDOUT, Phase.INSTALLATION, T0, "not ok 1 - x", false));
        send(new Line("j-1", 1, 3, LineSource.CONSOLE, Phase.TESTING, T0, "TAP version 13", false));
        send(new Line("j-1", 1, 4, LineSource.CONSOLE, Phase.TESTING, T0, "not ok 1 - y", false));
        send(new TestFinished("j-1", 1, T0, "r-1", "suite", true, 0, 10, "", ""));
        finish("j-1", Verdict.PASSED);

        JobVerdict v = verdict(verdicts.readValuesToList());

        assertThat(v.tests()).singleElement().satisfies(t -> assertThat(t.subtests()).isEmpty());
    }

    private void ssh(String jobId, long seq, String text) {
        send(new Line(jobId, 1, seq, LineSource.SSH_STDOUT, Phase.TESTING, T0, text, false));
    }

    private static KnownIssue issue(String id, KnownIssueMatch match, List<String> profiles) {
        return new KnownIssue(id, match, profiles, "https://bugs.example/" + id, "", null, T0);
    }

    private static JobVerdict verdict(List<VerdictEvent> out) {
        return out.stream().filter(JobVerdict.class::isInstance).map(JobVerdict.class::cast).findFirst().orElseThrow();
    }

    private void start(String jobId, String profile) {
        send(new JobStarted(jobId, 1, T0, "r-1", profile, "w", "vm-" + jobId, "tcg", Map.of(), List.of()));
    }

    private void line(String jobId, long seq, String text) {
        send(new Line(jobId, 1, seq, LineSource.CONSOLE, Phase.INSTALLATION, T0, text, false));
    }

    private void finish(String jobId, Verdict outcome) {
        send(new JobFinished(jobId, 1, T0, "r-1", outcome, "", Phase.TESTING, Map.of(), "w"));
    }

    private void send(StreamEvent e) {
        stream.pipeInput(e.jobId(), EVENTS.encode(e), T0);
        driver.advanceWallClockTime(Duration.ofMillis(10));
    }
}
