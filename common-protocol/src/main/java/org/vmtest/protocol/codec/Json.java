package org.vmtest.protocol.codec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Duration;

/** The one Jackson configuration for everything on the wire. */
public final class Json {
    private static final ObjectMapper MAPPER = configure(JsonMapper.builder().build());

    private Json() {
    }

    /** The shared, thread-safe mapper. Do not reconfigure it. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /**
     * Applies the wire settings to any mapper (Dropwizard brings its own): ISO-8601 times, durations as text
     * ({@code "PT5M"}, also read from {@code "5m"}, {@code "90s"}), unknown fields ignored so an older reader
     * takes a newer writer's records, nulls left out.
     */
    @SuppressWarnings("deprecation") // MapperFeature on a built mapper: Dropwizard hands us one already built
    public static <M extends ObjectMapper> M configure(M mapper) {
        SimpleModule durations = new SimpleModule("vmtest-durations");
        durations.addDeserializer(Duration.class, new FlexibleDurationDeserializer());
        mapper.registerModule(new JavaTimeModule());
        mapper.registerModule(durations);
        mapper.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        mapper.disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);
        mapper.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE);
        mapper.setSerializationInclusion(JsonInclude.Include.NON_NULL);
        // Profiles and API requests are written by people: "tcg" means TCG.
        mapper.configure(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS, true);
        return mapper;
    }
}
