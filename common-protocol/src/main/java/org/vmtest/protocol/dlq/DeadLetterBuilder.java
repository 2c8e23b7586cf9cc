package org.vmtest.protocol.dlq;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The one way to make a {@link DeadLetter}, used by every consumer (worker, analyzer, coordinator): whatever the bad
 * record held, the dead letter and its key fit in one Kafka record of the default 1 MiB limit, so the letter itself
 * is never refused and lost.
 *
 * <pre>
 * DeadLetter letter = DeadLetterBuilder.of(topic, partition, offset)
 *         .consumer("worker").time(clock.instant()).error(reason).value(bytes).build();
 * producer.send(new ProducerRecord&lt;&gt;(dlqTopic, DeadLetterBuilder.key(record.key()), encode(letter)));
 * </pre>
 *
 * <p>Bounds, in bytes: the value keeps its first {@link #MAX_VALUE_BYTES} (base64 makes that 4/3 as many
 * characters), the error its first {@link #MAX_ERROR_BYTES} of UTF-8, the key its first {@link #MAX_KEY_BYTES},
 * never splitting a character. Even with every error character escaped by JSON (6 bytes each) the encoded letter
 * stays under {@link #MAX_ENCODED_BYTES}.
 */
public final class DeadLetterBuilder {
    /** Raw bytes of the bad value kept; 256 KiB become ~342 KiB of base64. */
    public static final int MAX_VALUE_BYTES = 256 * 1024;
    /** UTF-8 bytes of the error text kept, including the note on what was cut. */
    public static final int MAX_ERROR_BYTES = 8 * 1024;
    /** UTF-8 bytes of the original key kept as the dead letter's key. */
    public static final int MAX_KEY_BYTES = 1024;
    /** What an encoded dead letter never exceeds: well inside Kafka's default 1 MiB record limit. */
    public static final int MAX_ENCODED_BYTES = 512 * 1024;
    private static final String CUT_MARK = "...";

    private final String topic;
    private final int partition;
    private final long offset;
    private String consumer;
    private Instant time;
    private String error;
    private byte[] value;

    private DeadLetterBuilder(String topic, int partition, long offset) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.partition = partition;
        this.offset = offset;
    }

    /** Where the bad record was read. */
    public static DeadLetterBuilder of(String topic, int partition, long offset) {
        return new DeadLetterBuilder(topic, partition, offset);
    }

    /** Where and what the bad record was: its topic, partition, offset and value. */
    public static DeadLetterBuilder of(ConsumerRecord<?, byte[]> record) {
        return of(record.topic(), record.partition(), record.offset()).value(record.value());
    }

    /** Which service gave up on the record ({@code worker}, {@code analyzer}, ...). */
    public DeadLetterBuilder consumer(String consumer) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        return this;
    }

    public DeadLetterBuilder time(Instant time) {
        this.time = Objects.requireNonNull(time, "time");
        return this;
    }

    /** Why the record could not be used. */
    public DeadLetterBuilder error(String error) {
        this.error = Objects.requireNonNull(error, "error");
        return this;
    }

    /** The record's value as it was read; null for a tombstone. */
    public DeadLetterBuilder value(byte[] value) {
        this.value = value;
        return this;
    }

    public DeadLetter build() {
        Objects.requireNonNull(consumer, "consumer must be set");
        Objects.requireNonNull(time, "time must be set");
        Objects.requireNonNull(error, "error must be set");
        String why = error;
        String kept = "";
        if (value != null) {
            int keep = Math.min(value.length, MAX_VALUE_BYTES);
            kept = Base64.getEncoder().encodeToString(keep == value.length ? value : Arrays.copyOf(value, keep));
            if (keep < value.length) {
                // The note goes first so that cutting a long error never cuts it away.
                why = "(value of " + value.length + " bytes, first " + keep + " kept) " + why;
            }
        }
        return new DeadLetter(topic, partition, offset, truncateUtf8(consumer, MAX_KEY_BYTES), time,
                truncateUtf8(why, MAX_ERROR_BYTES), kept);
    }

    /** The dead letter's key: the original key, cut to {@link #MAX_KEY_BYTES} of UTF-8; null stays null. */
    public static String key(String originalKey) {
        return originalKey == null ? null : truncateUtf8(originalKey, MAX_KEY_BYTES);
    }

    /**
     * {@code text} if its UTF-8 encoding has at most {@code maxBytes} bytes, else its longest prefix of whole
     * characters (never half a surrogate pair) that fits with {@value #CUT_MARK} appended.
     */
    public static String truncateUtf8(String text, int maxBytes) {
        if (maxBytes < CUT_MARK.length()) {
            throw new IllegalArgumentException("maxBytes must be at least " + CUT_MARK.length() + ", got " + maxBytes);
        }
        // Fast path: a string of n chars has at most 3n UTF-8 bytes.
        if ((long) text.length() * 3 <= maxBytes || text.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
            return text;
        }
        int budget = maxBytes - CUT_MARK.length();
        int used = 0;
        int end = 0;
        while (end < text.length()) {
            int cp = text.codePointAt(end);
            int bytes = utf8Length(cp);
            if (used + bytes > budget) break;
            used += bytes;
            end += Character.charCount(cp);
        }
        return text.substring(0, end) + CUT_MARK;
    }

    private static int utf8Length(int codePoint) {
        if (codePoint < 0x80) return 1;
        if (codePoint < 0x800) return 2;
        // A lone surrogate is encoded as '?' (1 byte) by String.getBytes; counting 3 keeps the bound safe.
        if (codePoint < 0x10000) return 3;
        return 4;
    }
}
