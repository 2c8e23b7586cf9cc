package org.vmtest.protocol.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for one record family. Writing is strict (a record we cannot write is a bug); reading never
 * throws: it returns {@link Decoded.Malformed} with the reason, for the dead-letter topic.
 */
public final class JsonSerde<T> {
    private final Class<T> type;
    private final ObjectReader reader;
    private final ObjectWriter writer;

    private JsonSerde(Class<T> type) {
        this.type = type;
        this.reader = Json.mapper().readerFor(type);
        this.writer = Json.mapper().writerFor(type);
    }

    public static <T> JsonSerde<T> of(Class<T> type) {
        return new JsonSerde<>(type);
    }

    public byte[] encode(T value) {
        try {
            return writer.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new SerializationException("cannot encode " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    public Decoded<T> decode(byte[] bytes) {
        if (bytes == null) {
            return new Decoded.Malformed<>(null, "empty record (no value)");
        }
        try {
            T value = reader.readValue(bytes);
            if (value == null) {
                return new Decoded.Malformed<>(bytes, "JSON null is not a " + type.getSimpleName());
            }
            return new Decoded.Ok<>(value);
        } catch (IOException | RuntimeException e) {
            return new Decoded.Malformed<>(bytes, type.getSimpleName() + ": " + describe(e));
        }
    }

    private static String describe(Exception e) {
        if (e instanceof JsonProcessingException jpe) {
            String where = jpe.getLocation() == null ? "" : " at byte " + jpe.getLocation().getByteOffset();
            return jpe.getOriginalMessage() + where;
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    public Serializer<T> serializer() {
        return (topic, value) -> value == null ? null : encode(value);
    }

    public Deserializer<Decoded<T>> deserializer() {
        return (topic, bytes) -> decode(bytes);
    }

    /** For Kafka Streams: values are {@code Decoded<T>} on the way in; on the way out only {@code Ok} is written. */
    public Serde<Decoded<T>> decodedSerde() {
        Serializer<Decoded<T>> out = (topic, decoded) -> {
            if (decoded instanceof Decoded.Ok<T> ok) return encode(ok.value());
            if (decoded instanceof Decoded.Malformed<T> bad) return bad.raw();
            return null;
        };
        return org.apache.kafka.common.serialization.Serdes.serdeFrom(out, deserializer());
    }

    /** A plain serde for writing and for readers that already know the bytes are good (tests). */
    public Serde<T> serde() {
        Deserializer<T> in = (topic, bytes) -> {
            Decoded<T> decoded = decode(bytes);
            if (decoded instanceof Decoded.Ok<T> ok) return ok.value();
            throw new SerializationException(((Decoded.Malformed<T>) decoded).error());
        };
        return org.apache.kafka.common.serialization.Serdes.serdeFrom(serializer(), in);
    }
}
