package org.vmtest.protocol.stream;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.codec.Decoded;
import org.vmtest.protocol.codec.Json;
import org.vmtest.protocol.codec.JsonSerde;

/**
 * Decodes {@code vmtest.stream} records as {@link JsonSerde} does, with a fast path for {@link Line}, nearly every
 * record of the topic: Jackson's streaming parser straight into the record, and the worker's own time format
 * ({@code 2026-11-26T04:31:00.123456Z}) read without {@code DateTimeFormatter}. Profiling the analyzer showed
 * data binding and {@code Instant} parsing taking a third of its stream thread (docs/BENCHMARKS.md).
 *
 * <p>The wire format does not change. Whatever the fast path does not expect (another record type, a null, a
 * number where text belongs, an unusual time form, a record its constructor refuses) is decoded again by
 * {@link JsonSerde}, so the result, and the error of a malformed record, are exactly the data binder's.
 */
public final class StreamEventDecoder {
    private static final JsonFactory FACTORY = Json.mapper().getFactory();
    private static final Map<String, Phase> PHASES = byName(Phase.values());
    private static final Map<String, LineSource> SOURCES = byName(LineSource.values());

    private final JsonSerde<StreamEvent> full = JsonSerde.of(StreamEvent.class);

    public Decoded<StreamEvent> decode(byte[] bytes) {
        if (bytes != null) {
            Line line = fastLine(bytes);
            if (line != null) return new Decoded.Ok<>(line);
        }
        return full.decode(bytes);
    }

    /** The line, or null when the record is anything but a plain well-formed {@code Line}. */
    private static Line fastLine(byte[] bytes) {
        try (JsonParser p = FACTORY.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return null;
            String type = null;
            String jobId = null;
            String text = null;
            Instant time = null;
            Phase phase = null;
            LineSource source = null;
            int attempt = 0;
            long seq = 0;
            boolean continued = false;
            boolean sawAttempt = false;
            boolean sawSeq = false;
            String field;
            while ((field = p.nextFieldName()) != null) {
                JsonToken t = p.nextToken();
                switch (field) {
                    case "type" -> type = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "jobId" -> jobId = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "text" -> text = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "time" -> time = t == JsonToken.VALUE_STRING ? isoInstant(p.getText()) : null;
                    case "phase" -> phase = t == JsonToken.VALUE_STRING ? PHASES.get(p.getText()) : null;
                    case "source" -> source = t == JsonToken.VALUE_STRING ? SOURCES.get(p.getText()) : null;
                    case "attempt" -> {
                        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) return null;
                        attempt = p.getIntValue();
                        sawAttempt = true;
                    }
                    case "seq" -> {
                        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                            return null;
                        }
                        seq = p.getLongValue();
                        sawSeq = true;
                    }
                    case "continued" -> {
                        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) return null;
                        continued = t == JsonToken.VALUE_TRUE;
                    }
                    default -> p.skipChildren(); // "schema" and fields a newer writer added
                }
            }
            if (p.nextToken() != null) return null; // trailing content: let the data binder judge it
            if (!"Line".equals(type) || jobId == null || text == null || time == null || phase == null
                    || source == null || !sawAttempt || !sawSeq) {
                return null;
            }
            return new Line(jobId, attempt, seq, source, phase, time, text, continued);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z}, the form Jackson writes an {@link Instant} in; null for any other form
     * (the data binder then reads it, or says why it cannot).
     */
    static Instant isoInstant(String s) {
        int n = s.length();
        if (n < 20 || n > 30 || s.charAt(n - 1) != 'Z' || s.charAt(4) != '-' || s.charAt(7) != '-'
                || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 28 && day > lengthOfMonth(year, month)
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int nanos = 0;
        if (n > 20) {
            int fraction = n - 21;
            if (s.charAt(19) != '.' || fraction < 1 || fraction > 9) return null;
            int f = digits(s, 20, fraction);
            if (f < 0) return null;
            nanos = f;
            for (int i = fraction; i < 9; i++) nanos *= 10;
        }
        long epochDay = epochDay(year, month, day);
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
    }

    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static int lengthOfMonth(int year, int month) {
        return java.time.YearMonth.of(year, month).lengthOfMonth();
    }

    private static long epochDay(int year, int month, int day) {
        return java.time.LocalDate.of(year, month, day).toEpochDay();
    }

    private static <E extends Enum<E>> Map<String, E> byName(E[] values) {
        Map<String, E> m = new HashMap<>();
        for (E e : values) m.put(e.name(), e);
        return Map.copyOf(m);
    }
}
