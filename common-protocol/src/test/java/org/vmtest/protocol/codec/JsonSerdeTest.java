package org.vmtest.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vmtest.protocol.control.ControlCommand;
import org.vmtest.protocol.dlq.DeadLetter;
import org.vmtest.protocol.issues.KnownIssue;
import org.vmtest.protocol.jobs.JobMessage;
import org.vmtest.protocol.stream.Line;
import org.vmtest.protocol.stream.StreamEvent;
import org.vmtest.protocol.verdicts.JobVerdict;
import org.vmtest.protocol.verdicts.RunVerdict;
import org.vmtest.protocol.verdicts.VerdictEvent;
import org.vmtest.protocol.workers.WorkerStatus;

class JsonSerdeTest {

    static Stream<Object> records() {
        return Samples.all().stream();
    }

    /** The family (sealed interface or record) a record is read back as on its topic. */
    static Class<?> familyOf(Object record) {
        for (Class<?> family : List.of(JobMessage.class, StreamEvent.class, VerdictEvent.class, ControlCommand.class,
                WorkerStatus.class, DeadLetter.class, KnownIssue.class)) {
            if (family.isInstance(record)) return family;
        }
        throw new AssertionError("no family for " + record.getClass());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("records")
    @SuppressWarnings({"unchecked", "rawtypes"})
    void everyRecordRoundTripsThroughItsFamilySerde(Object record) {
        JsonSerde serde = JsonSerde.of(familyOf(record));

        Decoded<?> decoded = serde.decode(serde.encode(record));

        assertThat(decoded).isInstanceOf(Decoded.Ok.class);
        assertThat(((Decoded.Ok<?>) decoded).value()).isEqualTo(record);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("records")
    @SuppressWarnings({"unchecked", "rawtypes"})
    void everyRecordCarriesItsTypeNameAndSchemaVersion(Object record) throws Exception {
        JsonSerde serde = JsonSerde.of(familyOf(record));

        JsonNode json = Json.mapper().readTree(serde.encode(record));

        assertThat(json.get("schema").asInt()).isEqualTo(Versioned.SCHEMA_VERSION);
        if (familyOf(record).isSealed()) {
            assertThat(json.get("type").asText()).isEqualTo(record.getClass().getSimpleName());
        }
    }

    @Test
    void anOlderReaderIgnoresFieldsANewerWriterAdded() {
        String newer = """
                {"type":"Line","schema":2,"jobId":"j-1","attempt":1,"seq":7,"source":"CONSOLE","phase":"TESTING",
                 "time":"2026-11-25T10:15:30Z","text":"hello","continued":false,"colour":"green","extra":{"a":[1,2]}}
                """;

        Decoded<StreamEvent> decoded = JsonSerde.of(StreamEvent.class).decode(newer.getBytes(StandardCharsets.UTF_8));

        assertThat(decoded).isInstanceOf(Decoded.Ok.class);
        Line line = (Line) ((Decoded.Ok<StreamEvent>) decoded).value();
        assertThat(line.text()).isEqualTo("hello");
        assertThat(line.seq()).isEqualTo(7);
    }

    @Test
    void aNewerReaderTakesAnOlderWritersVerdictsWithoutTheTriageFields() {
        String olderRun = """
                {"type":"RunVerdict","schema":1,"runId":"r-1","time":"2026-11-25T10:15:30Z","verdict":"FAILED",
                 "jobs":{"j-1":"FAILED"},"labels":{}}
                """;
        String olderJob = """
                {"type":"JobVerdict","schema":1,"runId":"r-1","jobId":"j-1","attempt":1,"time":"2026-11-25T10:15:30Z",
                 "profile":"p","verdict":"FAILED","reason":"r","failure":{"title":"t","signature":"s","block":[],
                 "context":[]},"findings":[],"metrics":{},"testsPassed":0,"testsFailed":1}
                """;
        JsonSerde<VerdictEvent> serde = JsonSerde.of(VerdictEvent.class);

        RunVerdict run = (RunVerdict) ((Decoded.Ok<VerdictEvent>) serde.decode(olderRun.getBytes(StandardCharsets.UTF_8))).value();
        JobVerdict job = (JobVerdict) ((Decoded.Ok<VerdictEvent>) serde.decode(olderJob.getBytes(StandardCharsets.UTF_8))).value();

        assertThat(run.allFailuresKnown()).isFalse();
        assertThat(job.failure().knownIssue()).isNull();
        assertThat(job.tests()).isEmpty();
    }

    @Test
    void garbageBytesDecodeToMalformedWithAReasonInsteadOfThrowing() {
        byte[] garbage = {0, (byte) 0xff, 0x12, '{', '"'};

        Decoded<StreamEvent> decoded = JsonSerde.of(StreamEvent.class).decode(garbage);

        assertThat(decoded).isInstanceOf(Decoded.Malformed.class);
        Decoded.Malformed<StreamEvent> bad = (Decoded.Malformed<StreamEvent>) decoded;
        assertThat(bad.raw()).isEqualTo(garbage);
        assertThat(bad.error()).startsWith("StreamEvent: ");
    }

    @Test
    void unknownTypeNameIsMalformedAndSaysWhichType() {
        String json = "{\"type\":\"Teleported\",\"jobId\":\"j-1\"}";

        Decoded<StreamEvent> decoded = JsonSerde.of(StreamEvent.class).decode(json.getBytes(StandardCharsets.UTF_8));

        assertThat(decoded).isInstanceOf(Decoded.Malformed.class);
        assertThat(((Decoded.Malformed<StreamEvent>) decoded).error()).contains("Teleported");
    }

    @Test
    void aRecordBreakingAnInvariantIsMalformedNotAnException() {
        String json = """
                {"type":"Line","jobId":"j-1","attempt":1,"seq":0,"source":"CONSOLE","phase":"TESTING",
                 "time":"2026-11-25T10:15:30Z","text":"hello","continued":false}
                """;

        Decoded<StreamEvent> decoded = JsonSerde.of(StreamEvent.class).decode(json.getBytes(StandardCharsets.UTF_8));

        assertThat(decoded).isInstanceOf(Decoded.Malformed.class);
        assertThat(((Decoded.Malformed<StreamEvent>) decoded).error()).contains("seq starts at 1");
    }

    @Test
    void wrongTypesAndMissingFieldsAreMalformed() {
        JsonSerde<StreamEvent> serde = JsonSerde.of(StreamEvent.class);

        assertThat(serde.decode("{\"type\":\"Line\",\"seq\":\"many\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(Decoded.Malformed.class);
        assertThat(serde.decode("{\"type\":\"Line\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(Decoded.Malformed.class);
        assertThat(serde.decode("null".getBytes(StandardCharsets.UTF_8))).isInstanceOf(Decoded.Malformed.class);
        assertThat(serde.decode(null)).isInstanceOf(Decoded.Malformed.class);
        assertThat(serde.decode(new byte[0])).isInstanceOf(Decoded.Malformed.class);
    }

    @Test
    void theStrictSerdeThrowsASerializationExceptionOnBadBytes() {
        var deserializer = JsonSerde.of(StreamEvent.class).serde().deserializer();

        assertThatThrownBy(() -> deserializer.deserialize("t", "not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class);
    }

    @Test
    void decodedSerdeWritesMalformedRecordsBackAsTheirOriginalBytes() {
        var serde = JsonSerde.of(StreamEvent.class).decodedSerde();
        byte[] garbage = {1, 2, 3};

        Decoded<StreamEvent> decoded = serde.deserializer().deserialize("t", garbage);

        assertThat(serde.serializer().serialize("t", decoded)).isEqualTo(garbage);
    }
}
