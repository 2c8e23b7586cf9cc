package org.vmtest.coordinator.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vmtest.coordinator.api.Run;
import org.vmtest.coordinator.api.RunStatus;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.codec.Decoded;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.kafka.Topics;
import org.vmtest.protocol.runs.RunCommand;
import org.vmtest.protocol.runs.RunSubmitted;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.JobStarted;
import org.vmtest.protocol.stream.Line;
import org.vmtest.protocol.stream.PhaseChanged;
import org.vmtest.protocol.stream.StreamEvent;
import org.vmtest.protocol.verdicts.JobVerdict;
import org.vmtest.protocol.verdicts.RunVerdict;
import org.vmtest.protocol.verdicts.VerdictEvent;

class RunStateTopologyTest {
    private static final Topics TOPICS = new Topics("t");
    private static final Instant T0 = Instant.parse("2030-01-01T10:00:00Z");
    private static final JsonSerde<RunCommand> COMMANDS = JsonSerde.of(RunCommand.class);
    private static final JsonSerde<StreamEvent> STREAM = JsonSerde.of(StreamEvent.class);
    private static final JsonSerde<VerdictEvent> VERDICTS = JsonSerde.of(VerdictEvent.class);
    private static final JsonSerde<Run> RUNS = JsonSerde.of(Run.class);

    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> commands;
    private TestInputTopic<String, byte[]> stream;
    private TestInputTopic<String, byte[]> verdictsIn;
    private TestOutputTopic<String, byte[]> runs;
    private TestOutputTopic<String, byte[]> verdictsOut;
    private TestOutputTopic<String, byte[]> dlq;

    @BeforeEach
    void start() throws Exception {
        Path stateDir = Files.createTempDirectory("run-state-test");
        Properties props = new Properties();
        props.put("application.id", "t-coordinator");
        props.put("bootstrap.servers", "unused:9092");
        props.put("state.dir", stateDir.toString());
        driver = new TopologyTestDriver(RunStateTopology.build(TOPICS, Clock.fixed(T0, ZoneOffset.UTC),
                new RunRetention(Duration.ofDays(30), Duration.ofMinutes(10))), props);
        commands = driver.createInputTopic(TOPICS.runCommands(), new StringSerializer(), new ByteArraySerializer());
        stream = driver.createInputTopic(TOPICS.stream(), new StringSerializer(), new ByteArraySerializer());
        verdictsIn = driver.createInputTopic(TOPICS.verdicts(), new StringSerializer(), new ByteArraySerializer());
        runs = driver.createOutputTopic(TOPICS.runs(), new StringDeserializer(), new ByteArrayDeserializer());
        verdictsOut = driver.createOutputTopic(TOPICS.verdicts(), new StringDeserializer(), new ByteArrayDeserializer());
        dlq = driver.createOutputTopic(TOPICS.dlq(), new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private Run lastRun() {
        List<byte[]> values = runs.readValuesToList();
        assertThat(values).isNotEmpty();
        return ((Decoded.Ok<Run>) RUNS.decode(values.get(values.size() - 1))).value();
    }

    @Test
    void lifecycleRecordsKeyedByJobMoveTheirRun() {
        commands.pipeInput("r1", COMMANDS.encode(new RunSubmitted("r1", T0, List.of(new RunSubmitted.JobRef("j1", "pass")), Map.of())));
        stream.pipeInput("j1", STREAM.encode(new JobStarted("j1", 1, T0.plusSeconds(1), "r1", "pass", "w1", "d", "tcg", Map.of(), List.of())));
        stream.pipeInput("j1", STREAM.encode(new Line("j1", 1, 1, LineSource.CONSOLE, Phase.PROVISIONING, T0.plusSeconds(2), "hello", false)));
        stream.pipeInput("j1", STREAM.encode(new PhaseChanged("j1", 1, T0.plusSeconds(3), "r1", Phase.INSTALLATION)));

        Run run = lastRun();
        assertThat(run.state()).isEqualTo(RunStatus.RUNNING);
        assertThat(run.jobs().get(0).phase()).isEqualTo(Phase.INSTALLATION);
        assertThat(run.jobs().get(0).worker()).isEqualTo("w1");
    }

    @Test
    void theRunVerdictIsEmittedOnceWhenEveryJobHasItsVerdict() {
        commands.pipeInput("r1", COMMANDS.encode(new RunSubmitted("r1", T0, List.of(
                new RunSubmitted.JobRef("j1", "pass"), new RunSubmitted.JobRef("j2", "panic")), Map.of("commit", "abc"))));
        verdictsIn.pipeInput("r1", VERDICTS.encode(new JobVerdict("r1", "j1", 1, T0.plusSeconds(5), "pass", Verdict.PASSED, "", null, List.of(), Map.of(), 2, 0)));
        assertThat(verdictsOut.readValuesToList()).isEmpty();
        stream.pipeInput("j2", STREAM.encode(new JobFinished("j2", 1, T0.plusSeconds(6), "r1", Verdict.FAILED, "test failed", Phase.TESTING, Map.of(), "w1")));
        verdictsIn.pipeInput("r1", VERDICTS.encode(new JobVerdict("r1", "j2", 1, T0.plusSeconds(7), "panic", Verdict.FAILED, "x", null, List.of(), Map.of(), 1, 1)));
        verdictsIn.pipeInput("r1", VERDICTS.encode(new JobVerdict("r1", "j2", 1, T0.plusSeconds(8), "panic", Verdict.FAILED, "again", null, List.of(), Map.of(), 1, 1)));

        List<VerdictEvent> out = verdictsOut.readValuesToList().stream()
                .map(b -> ((Decoded.Ok<VerdictEvent>) VERDICTS.decode(b)).value()).toList();
        assertThat(out).hasSize(1).first().isInstanceOfSatisfying(RunVerdict.class, v -> {
            assertThat(v.verdict()).isEqualTo(Verdict.FAILED);
            assertThat(v.labels()).containsEntry("commit", "abc");
        });
        assertThat(lastRun().state()).isEqualTo(RunStatus.DONE);
    }

    @Test
    void malformedRecordsGoToTheDeadLetterTopic() {
        commands.pipeInput("r1", "{not json".getBytes());
        assertThat(dlq.readValuesToList()).singleElement()
                .satisfies(v -> assertThat(new String(v)).contains("\"topic\":\"t.run-commands\""));
    }

    @Test
    void aMalformedHeartbeatGoesToTheDeadLetterTopicButATombstoneDoesNot() {
        var workers = driver.createInputTopic(TOPICS.workers(), new StringSerializer(), new ByteArraySerializer());
        workers.pipeInput("w1", (byte[]) null);
        workers.pipeInput("w1", new byte[] {0, 1, 2, (byte) 0xff});
        workers.pipeInput("w1", org.vmtest.protocol.codec.JsonSerde.of(org.vmtest.protocol.workers.WorkerStatus.class)
                .encode(new org.vmtest.protocol.workers.WorkerStatus("w1", java.time.Instant.now(),
                        org.vmtest.protocol.workers.WorkerStatus.State.RUNNING, 1, java.util.List.of(), "tcg", "9.0.0",
                        "7.2", "h")));

        assertThat(dlq.readValuesToList()).singleElement()
                .satisfies(v -> assertThat(new String(v)).contains("\"topic\":\"t.workers\""));
        assertThat(runs.readValuesToList()).isEmpty();
    }
}
