package org.vmtest.protocol.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.codec.Decoded;
import org.vmtest.protocol.codec.JsonSerde;

/** The fast decoder must answer exactly what the data binder answers, for good records and bad. */
class StreamEventDecoderTest {
    private static final JsonSerde<StreamEvent> JSON = JsonSerde.of(StreamEvent.class);
    private final StreamEventDecoder decoder = new StreamEventDecoder();

    @Test
    void decodesWrittenLinesAndOtherEventsAsTheDataBinderDoes() {
        List<StreamEvent> events = new ArrayList<>();
        var random = new SplittableRandom(7);
        for (int i = 0; i < 2000; i++) {
            // whole seconds, milliseconds and nanoseconds: Jackson writes 0, 3 or 9 fraction digits
            int nanos = switch (random.nextInt(3)) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant t = Instant.ofEpochSecond(random.nextLong(0, 4_000_000_000L), nanos);
            events.add(new Line("job-" + i, 1 + random.nextInt(3), 1 + random.nextLong(1_000_000),
                    LineSource.values()[random.nextInt(LineSource.values().length)],
                    Phase.values()[random.nextInt(Phase.values().length)], t,
                    "line \"" + i + "\" \\ é \t ✓ " + "x".repeat(random.nextInt(50)), random.nextBoolean()));
        }
        events.add(new Line("j", 1, 1, LineSource.CONSOLE, Phase.INSTALLATION, Instant.parse("2026-02-28T23:59:59Z"), "", false));
        events.add(new PhaseChanged("j", 1, Instant.now(), "r", Phase.TESTING));
        events.add(new JobFinished("j", 1, Instant.now(), "r", Verdict.PASSED, "", Phase.TESTING, Map.of(), "w"));
        for (StreamEvent e : events) {
            byte[] bytes = JSON.encode(e);
            assertThat(decoder.decode(bytes)).as(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(JSON.decode(bytes))
                    .isEqualTo(new Decoded.Ok<>(e));
        }
    }

    @Test
    void anyOtherFormOfALineIsJudgedByTheDataBinder() {
        List<String> odd = List.of(
                // field order, unknown fields, lower-case enum, a time with an offset, a leap day
                "{\"text\":\"t\",\"type\":\"Line\",\"new\":{\"a\":[1,2]},\"jobId\":\"j\",\"attempt\":1,\"seq\":2,"
                        + "\"source\":\"console\",\"phase\":\"INSTALLATION\",\"time\":\"2026-11-26T04:31:00+01:00\"}",
                "{\"type\":\"Line\",\"jobId\":\"j\",\"attempt\":1,\"seq\":2,\"source\":\"CONSOLE\",\"phase\":\"INSTALLATION\","
                        + "\"time\":\"2024-02-29T00:00:00.5Z\",\"text\":\"t\",\"continued\":true}",
                "{\"type\":\"Line\",\"jobId\":\"j\",\"attempt\":\"1\",\"seq\":2,\"source\":\"CONSOLE\",\"phase\":\"INSTALLATION\","
                        + "\"time\":\"2026-11-26T04:31:00Z\",\"text\":\"t\"}",
                // malformed: these go to the dead-letter topic with the data binder's reason
                "{\"type\":\"Line\",\"jobId\":\"j\",\"attempt\":1,\"seq\":0,\"source\":\"CONSOLE\",\"phase\":\"INSTALLATION\","
                        + "\"time\":\"2026-11-26T04:31:00Z\",\"text\":\"t\"}",
                "{\"type\":\"Line\",\"jobId\":\"j\",\"attempt\":1,\"seq\":1,\"source\":\"CONSOLE\",\"phase\":\"INSTALLATION\","
                        + "\"time\":\"2026-02-30T04:31:00Z\",\"text\":\"t\"}",
                "{\"type\":\"Line\",\"jobId\":\"j\",\"attempt\":1,\"seq\":1,\"source\":\"CONSOLE\",\"phase\":\"INSTALLATION\","
                        + "\"time\":\"2026-11-26T04:31:00Z\",\"text\":null}",
                "{\"type\":\"Line\",\"jobId\":\"j\",\"attempt\":1,\"seq\":1,\"source\":\"NOPE\",\"phase\":\"INSTALLATION\","
                        + "\"time\":\"2026-11-26T04:31:00Z\",\"text\":\"t\"}",
                "{\"type\":\"Line\",\"jobId\":\"j\",\"attempt\":1,\"seq\":1,",
                "{\"type\":\"Nope\",\"jobId\":\"j\"}",
                "null",
                "\u0000\u0001 not json");
        for (String s : odd) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            assertThat(decoder.decode(bytes)).as(s).isEqualTo(JSON.decode(bytes));
        }
        assertThat(decoder.decode(null)).isEqualTo(JSON.decode(null));
    }

    @Test
    void readsTheTimeFormJacksonWrites() {
        for (String s : List.of("2026-11-26T04:31:00Z", "2026-11-26T04:31:00.1Z", "1970-01-01T00:00:00.000000001Z",
                "2000-02-29T23:59:59.999999999Z")) {
            assertThat(StreamEventDecoder.isoInstant(s)).as(s).isEqualTo(Instant.parse(s));
        }
        for (String s : List.of("2026-11-26T04:31:00", "2026-11-26T24:00:00Z", "2026-13-01T00:00:00Z",
                "2026-11-26T04:31:00.Z", "2026-11-26T04:31:00.1234567890Z", "2026-11-26 04:31:00Z", "+2026-11-26T04:31:00Z")) {
            assertThat(StreamEventDecoder.isoInstant(s)).as(s).isNull();
        }
    }
}
