package org.vmtest.protocol.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.vmtest.protocol.codec.Decoded;
import org.vmtest.protocol.codec.JsonSerde;

class DeadLetterBuilderTest {
    private static final JsonSerde<DeadLetter> SERDE = JsonSerde.of(DeadLetter.class);
    private static final Instant NOW = Instant.parse("2026-12-07T21:00:00Z");
    /** Kafka's default max.request.size / message.max.bytes. */
    private static final int KAFKA_RECORD_LIMIT = 1024 * 1024;

    @Test
    void aSmallRecordIsKeptWhole() {
        byte[] value = "{\"type\":\"Nope\"}".getBytes(StandardCharsets.UTF_8);
        DeadLetter letter = DeadLetterBuilder.of("vmtest.jobs", 0, 7).consumer("worker").time(NOW)
                .error("unknown type Nope").value(value).build();

        assertThat(letter.topic()).isEqualTo("vmtest.jobs");
        assertThat(letter.offset()).isEqualTo(7);
        assertThat(letter.error()).isEqualTo("unknown type Nope");
        assertThat(Base64.getDecoder().decode(letter.valueBase64())).isEqualTo(value);
    }

    @Test
    void aRecordAtKafkasSizeLimitMakesADeadLetterThatStillFitsInOneRecord() {
        byte[] garbage = new byte[KAFKA_RECORD_LIMIT];
        new Random(42).nextBytes(garbage);
        ConsumerRecord<String, byte[]> record = new ConsumerRecord<>("vmtest.jobs", 0, 3, "job-1", garbage);

        DeadLetter letter = DeadLetterBuilder.of(record).consumer("worker").time(NOW).error("not JSON").build();
        byte[] encoded = SERDE.encode(letter);

        assertThat(encoded.length).isLessThanOrEqualTo(DeadLetterBuilder.MAX_ENCODED_BYTES)
                .isLessThan(KAFKA_RECORD_LIMIT);
        assertThat(Base64.getDecoder().decode(letter.valueBase64())).hasSize(DeadLetterBuilder.MAX_VALUE_BYTES)
                .isEqualTo(java.util.Arrays.copyOf(garbage, DeadLetterBuilder.MAX_VALUE_BYTES));
        assertThat(letter.error()).startsWith("(value of 1048576 bytes, first 262144 kept)").endsWith("not JSON");
        assertThat(SERDE.decode(encoded)).isInstanceOf(Decoded.Ok.class);
    }

    @Test
    void aHugeErrorOfCharactersJsonMustEscapeStillFits() {
        String hostile = "\u0001\"\\".repeat(400_000);
        byte[] garbage = new byte[KAFKA_RECORD_LIMIT];
        DeadLetter letter = DeadLetterBuilder.of("vmtest.stream", 2, 9).consumer("analyzer").time(NOW)
                .error(hostile).value(garbage).build();

        assertThat(letter.error().getBytes(StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(DeadLetterBuilder.MAX_ERROR_BYTES);
        assertThat(letter.error()).startsWith("(value of 1048576 bytes").endsWith("...");
        assertThat(SERDE.encode(letter).length).isLessThanOrEqualTo(DeadLetterBuilder.MAX_ENCODED_BYTES);
    }

    @Test
    void truncationNeverSplitsAMultibyteCharacter() {
        // 2-, 3- and 4-byte characters (the last a surrogate pair in Java), repeated well past the limit.
        String text = "é€😀".repeat(10_000);
        for (int limit = 3; limit < 40; limit++) {
            String cut = DeadLetterBuilder.truncateUtf8(text, limit);
            byte[] bytes = cut.getBytes(StandardCharsets.UTF_8);
            assertThat(bytes.length).as("limit %d", limit).isLessThanOrEqualTo(limit);
            assertThat(new String(bytes, StandardCharsets.UTF_8)).as("limit %d", limit).isEqualTo(cut);
            assertThat(cut).as("limit %d", limit).endsWith("...").doesNotContain("\uFFFD", "?");
        }
        String error = DeadLetterBuilder.of("t", 0, 0).consumer("c").time(NOW).error(text).build().error();
        assertThat(error.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(DeadLetterBuilder.MAX_ERROR_BYTES);
        assertThat(text).startsWith(error.substring(0, error.length() - 3));
    }

    @Test
    void aTextThatFitsIsLeftAlone() {
        assertThat(DeadLetterBuilder.truncateUtf8("😀😀", 8)).isEqualTo("😀😀");
        assertThat(DeadLetterBuilder.truncateUtf8("😀😀😀", 8)).isEqualTo("😀...");
    }

    @Test
    void aHugeKeyIsCutAndANullKeyStaysNull() {
        String key = "ключ".repeat(100_000);
        assertThat(DeadLetterBuilder.key(key).getBytes(StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(DeadLetterBuilder.MAX_KEY_BYTES);
        assertThat(DeadLetterBuilder.key(null)).isNull();
        assertThat(DeadLetterBuilder.key("job-1")).isEqualTo("job-1");
    }

    @Test
    void aTombstoneKeepsNoValue() {
        DeadLetter letter = DeadLetterBuilder.of("vmtest.control", 1, 2).consumer("worker").time(NOW)
                .error("tombstone").value(null).build();
        assertThat(letter.valueBase64()).isEmpty();
    }

    @Test
    void aMissingFieldIsNamed() {
        assertThatThrownBy(() -> DeadLetterBuilder.of("t", 0, 0).time(NOW).error("e").build())
                .isInstanceOf(NullPointerException.class).hasMessageContaining("consumer");
        assertThatThrownBy(() -> DeadLetterBuilder.truncateUtf8("abc", 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBytes");
    }
}
