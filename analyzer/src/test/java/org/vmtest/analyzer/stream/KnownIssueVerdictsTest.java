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
import org.vmtest.protocol.verdicts.Finding;
import org.vmtest.protocol.verdicts.JobVerdict;
import org.vmtest.protocol.verdicts.KnownIssueRef;
import org.vmtest.protocol.verdicts.VerdictEvent;

/** Known issues on the analyzer's findings and verdicts: what the registry says when each goes out. */
class KnownIssueVerdictsTest {
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
    void aKnownIssueAddedWhileTheJobRunsMarksItsFailureAndLaterFindings() {
        start("j-1", "panic");
        line("j-1", 1, "vmtest-install: copying");
        registry.put(issue("sysrq", KnownIssueMatch.titleRegex("sysrq triggered"), List.of()));
        line("j-1", 2, "[   12.0] " + PANIC);
        line("j-1", 3, "[   12.1] ---[ end " + PANIC + " ]---");
        finish("j-1", Verdict.ABORTED);

        List<VerdictEvent> out = verdicts.readValuesToList();
        Finding panic = out.stream().filter(Finding.class::isInstance).map(Finding.class::cast)
                .filter(f -> f.title().contains("sysrq")).findFirst().orElseThrow();
        assertThat(panic.knownIssue()).isEqualTo(new KnownIssueRef("sysrq", "https://bugs.example/sysrq"));
        JobVerdict v = verdict(out);
        assertThat(v.failure().knownIssue()).isEqualTo(new KnownIssueRef("sysrq", "https://bugs.example/sysrq"));
    }

    @Test
    void aFailedTestMatchesBySignatureOnlyForTheIssuesProfiles() {
        registry.put(issue("selftest", KnownIssueMatch.signature(Signatures.of("test selftest")), List.of("test-fail")));

        start("j-1", "test-fail");
        send(new TestFinished("j-1", 1, T0, "r-1", "selftest", false, 1, 10, "exit 1, expected 0", "bad\n"));
        finish("j-1", Verdict.FAILED);
        start("j-2", "other");
        send(new TestFinished("j-2", 1, T0, "r-1", "selftest", false, 1, 10, "exit 1, expected 0", "bad\n"));
        finish("j-2", Verdict.FAILED);

        List<VerdictEvent> out = verdicts.readValuesToList();
        List<JobVerdict> vs = out.stream().filter(JobVerdict.class::isInstance).map(JobVerdict.class::cast).toList();
        assertThat(vs).extracting(JobVerdict::jobId).containsExactly("j-1", "j-2");
        assertThat(vs.get(0).failure().knownIssue()).extracting(KnownIssueRef::id).isEqualTo("selftest");
        assertThat(vs.get(1).failure().knownIssue()).as("another profile").isNull();
    }

    @Test
    void anExpiredOrRemovedIssueMatchesNothing() {
        registry.put(new KnownIssue("old", KnownIssueMatch.signature(Signatures.of("test selftest")), List.of(),
                "https://bugs.example/old", "", T0.minusSeconds(1), T0));
        registry.put(issue("gone", KnownIssueMatch.titleRegex("selftest"), List.of()));
        registry.remove("gone");

        start("j-1", "p");
        send(new TestFinished("j-1", 1, T0, "r-1", "selftest", false, 1, 10, "exit 1", ""));
        finish("j-1", Verdict.FAILED);

        assertThat(verdict(verdicts.readValuesToList()).failure().knownIssue()).isNull();
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
