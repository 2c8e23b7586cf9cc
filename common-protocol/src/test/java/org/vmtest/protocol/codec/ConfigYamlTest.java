package org.vmtest.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.protocol.kafka.KafkaSettings;

class ConfigYamlTest {
    public static final class Sample {
        public KafkaSettings kafka;
        public int slots;
    }

    private static Path write(Path dir, String yaml) throws IOException {
        return Files.writeString(dir.resolve("service.yml"), yaml);
    }

    @Test
    void environmentVariablesAndDefaultsAreSubstituted(@TempDir Path dir) throws IOException {
        Path file = write(dir, """
                kafka:
                  bootstrapServers: ${BROKERS}
                  topicPrefix: ${PREFIX:-vmtest}
                slots: ${SLOTS:-2}
                """);

        Sample s = ConfigYaml.read(file, Sample.class, Map.of("BROKERS", "k1:9092,k2:9092"));

        assertThat(s.kafka.bootstrapServers()).isEqualTo("k1:9092,k2:9092");
        assertThat(s.kafka.topics().jobs()).isEqualTo("vmtest.jobs");
        assertThat(s.slots).isEqualTo(2);
    }

    @Test
    void anUnsetVariableWithoutDefaultIsNamed(@TempDir Path dir) throws IOException {
        Path file = write(dir, "slots: ${SLOTS}\n");

        assertThatThrownBy(() -> ConfigYaml.read(file, Sample.class, Map.of()))
                .isInstanceOf(IOException.class).hasMessageContaining("SLOTS").hasMessageContaining("service.yml");
    }

    @Test
    void anUnknownKeyIsATypoWithItsLine(@TempDir Path dir) throws IOException {
        Path file = write(dir, "slots: 1\nslotz: 2\n");

        assertThatThrownBy(() -> ConfigYaml.read(file, Sample.class, Map.of()))
                .isInstanceOf(IOException.class).hasMessageContaining("service.yml:2: unknown key 'slotz'");
    }

    @Test
    void aMissingFileSaysSo(@TempDir Path dir) {
        assertThatThrownBy(() -> ConfigYaml.read(dir.resolve("nope.yml"), Sample.class))
                .isInstanceOf(IOException.class).hasMessageContaining("config file not found");
    }
}
