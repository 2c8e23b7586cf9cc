package org.vmtest.protocol.codec;

import java.util.Objects;

/**
 * The result of decoding a record's bytes: bad bytes are an expected outcome, not an exception, so the caller
 * decides where they go (the dead-letter topic) and carries on.
 */
public sealed interface Decoded<T> {

    record Ok<T>(T value) implements Decoded<T> {
        public Ok {
            Objects.requireNonNull(value, "value");
        }
    }

    /** @param raw the bytes as received (may be null for a tombstone) */
    record Malformed<T>(byte[] raw, String error) implements Decoded<T> {
        public Malformed {
            Objects.requireNonNull(error, "error");
        }
    }
}
