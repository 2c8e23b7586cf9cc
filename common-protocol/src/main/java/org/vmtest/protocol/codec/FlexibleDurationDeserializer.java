package org.vmtest.protocol.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import java.io.IOException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads durations as people write them in profiles ({@code 90s}, {@code 5m}, {@code 1h}, {@code 250ms}) or ISO-8601. */
final class FlexibleDurationDeserializer extends StdScalarDeserializer<Duration> {
    private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    FlexibleDurationDeserializer() {
        super(Duration.class);
    }

    @Override
    public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
            return Duration.ofSeconds(p.getLongValue());
        }
        if (p.currentToken() == JsonToken.VALUE_NUMBER_FLOAT) {
            return Duration.ofMillis(Math.round(p.getDoubleValue() * 1000));
        }
        String text = p.getValueAsString();
        if (text == null) {
            return (Duration) ctxt.handleUnexpectedToken(Duration.class, p);
        }
        return parse(text.trim(), ctxt);
    }

    private Duration parse(String text, DeserializationContext ctxt) throws IOException {
        Matcher m = SHORT.matcher(text);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
        try {
            return Duration.parse(text);
        } catch (DateTimeParseException e) {
            return (Duration) ctxt.handleWeirdStringValue(Duration.class, text,
                    "expected a duration such as 90s, 5m, 1h, 250ms or PT5M");
        }
    }
}
