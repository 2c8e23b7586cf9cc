package org.vmtest.protocol.dlq;

import java.time.Instant;
import java.util.Objects;
import org.vmtest.protocol.codec.Versioned;

/**
 * A record some consumer could not decode, kept on {@code vmtest.dlq} under its original key so nothing is
 * lost. The value is kept as base64 since it may not be text at all.
 */
public record DeadLetter(String topic, int partition, long offset, String consumer, Instant time, String error,
                         String valueBase64) implements Versioned {
    public DeadLetter {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(error, "error");
        if (valueBase64 == null) valueBase64 = "";
    }
}
