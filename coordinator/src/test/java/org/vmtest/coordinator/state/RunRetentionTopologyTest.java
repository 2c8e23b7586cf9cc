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
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vmtest.coordinator.api.Run;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.kafka.Topics;
import org.vmtest.protocol.runs.RunCancelled;
import org.vmtest.protocol.runs.RunCommand;
import org.vmtest.protocol.runs.RunSubmitted;
import org.vmtest.protocol.stream.JobStarted;
import org.vmtest.protocol.stream.StreamEvent;
import org.vmtest.protocol.verdicts.JobVerdict;
import org.vmtest.protocol.verdicts.VerdictEvent;

/** The run-state stream removes finished runs past their retention, from its store and from vmtest.runs. */
class RunRetentionTopologyTest {
    private static final Topics TOPICS = new Topics("t");
    private static final Instant T0 = Instant.parse("2030-01-01T10:00:00Z");
    private static final Instant NOW = T0.plus(Duration.ofDays(31));
    private static final JsonSerde<RunCommand> COMMANDS = JsonSerde.of(RunCommand.class);
    private static final JsonSerde<StreamEvent> STREAM = JsonSerde.of(StreamEvent.class);
    private static final JsonSerde<VerdictEvent> VERDICTS = JsonSerde.of(VerdictEvent.class);

    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> commands;
    private TestInputTopic<String, byte[]> verdicts;
    private TestInputTopic<String, byte[]> stream;
    private TestOutputTopic<String, byte[]> runs;

    @BeforeEach
    void start() throws Exception {
        Path stateDir = Files.createTempDirectory("run-retention-test");
        Properties props = new Properties();
        props.put("application.id", "t-coordinator");
        props.put("bootstrap.servers", "unused:9092");
        props.put("state.dir", stateDir.toString());
        driver = new TopologyTestDriver(RunStateTopology.build(TOPICS, Clock.fixed(NOW, ZoneOffset.UTC),
                new RunRetention(Duration.ofDays(30), Duration.ofMinutes(1))), props);
        commands = driver.createInputTopic(TOPICS.runCommands(), new StringSerializer(), new ByteArraySerializer());
        stream = driver.createInputTopic(TOPICS.stream(), new StringSerializer(), new ByteArraySerializer());
        verdicts = driver.createInputTopic(TOPICS.verdicts(), new StringSerializer(), new ByteArraySerializer());
        runs = driver.createOutputTopic(TOPICS.runs(), new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private void submit(String runId, Instant at) {
        commands.pipeInput(runId, COMMANDS.encode(new RunSubmitted(runId, at,
                List.of(new RunSubmitted.JobRef(runId + "-j1", "pass")), Map.of())));
    }

    private void cancel(String runId, Instant at) {
        commands.pipeInput(runId, COMMANDS.encode(new RunCancelled(runId, at, "test")));
    }

    private JobVerdict verdict(String runId, Instant at) {
        return new JobVerdict(runId, runId + "-j1", 1, at, "pass", Verdict.PASSED, "", null, List.of(), Map.of(), 1, 0);
    }

    @Test
    void aFinishedRunPastTheRetentionIsTombstonedAndForgottenAndNewerOrUnfinishedRunsStay() {
        submit("old", T0);
        verdicts.pipeInput("old", VERDICTS.encode(verdict("old", T0.plusSeconds(5))));
        submit("old-cancelled", T0);
        cancel("old-cancelled", T0.plusSeconds(1));
        submit("old-unfinished", T0);
        submit("new", T0.plus(Duration.ofDays(30)));
        cancel("new", T0.plus(Duration.ofDays(30)).plusSeconds(1));
        runs.readKeyValuesToList();

        driver.advanceWallClockTime(Duration.ofMinutes(1));

        List<KeyValue<String, byte[]>> out = runs.readKeyValuesToList();
        assertThat(out).allSatisfy(kv -> assertThat(kv.value).isNull())
                .extracting(kv -> kv.key).containsExactlyInAnyOrder("old", "old-cancelled");
        KeyValueStore<String, Run> store = driver.getKeyValueStore(RunStateTopology.STORE);
        assertThat(store.get("old")).isNull();
        assertThat(store.get("old-unfinished")).isNotNull();
        assertThat(store.get("new")).isNotNull();
    }

    @Test
    void aLateRecordForARemovedRunDoesNotBringItBack() {
        submit("old", T0);
        verdicts.pipeInput("old", VERDICTS.encode(verdict("old", T0.plusSeconds(5))));
        driver.advanceWallClockTime(Duration.ofMinutes(1));
        runs.readKeyValuesToList();

        // a redelivered job starts again: it would change the run, had the store kept it
        stream.pipeInput("old-j1", STREAM.encode(new JobStarted("old-j1", 2, T0.plusSeconds(9), "old", "pass", "w2",
                "d", "tcg", Map.of(), List.of())));
        cancel("old", T0.plusSeconds(10));

        assertThat(runs.readKeyValuesToList()).isEmpty();
        driver.advanceWallClockTime(Duration.ofMinutes(1));
        assertThat(runs.readKeyValuesToList()).as("what the late records left is dropped without a tombstone").isEmpty();
        KeyValueStore<String, Run> store = driver.getKeyValueStore(RunStateTopology.STORE);
        assertThat(store.get("old")).as("a stub older than the retention is forgotten").isNull();
    }
}
