package org.vmtest.analyzer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.analyzer.AnalyzerApp;
import org.vmtest.analyzer.AnalyzerConfig;

class AnalyzerConfigFileTest {
    @TempDir
    Path dir;

    @Test
    void exampleConfigReadsWithItsDocumentedDefaults() throws IOException {
        AnalyzerConfig c = AnalyzerApp.readConfig(Path.of("..", "deploy", "config", "analyzer.yml"));
        AnalyzerConfig defaults = new AnalyzerConfig();
        assertThat(c.reportGrace()).isEqualTo(defaults.reportGrace()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.defaultStallLimit()).isEqualTo(defaults.defaultStallLimit());
        assertThat(c.stallCheckInterval()).isEqualTo(defaults.stallCheckInterval());
        assertThat(c.reportCheckInterval()).isEqualTo(defaults.reportCheckInterval());
        assertThat(c.forgetSilentJobsAfter()).isEqualTo(defaults.forgetSilentJobsAfter());
        assertThat(c.maxFindingsPerJob()).isEqualTo(defaults.maxFindingsPerJob());
        assertThat(c.threads()).isEqualTo(defaults.threads());
        assertThat(c.kafka().topics().prefix()).isEqualTo("vmtest");
        assertThat(AnalyzerService.applicationId(c)).isEqualTo("vmtest-analyzer");
    }

    @Test
    void misspeltOptionIsAnErrorNamingFileAndLine() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "kafka:\n  bootstrapServers: b:9092\nreportGrase: 1s\n");
        assertThatThrownBy(() -> AnalyzerApp.readConfig(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("bad.yaml:3")
                .hasMessageContaining("reportGrase");
    }

    @Test
    void reportGraceLongerThanTwoSecondsIsRejected() throws IOException {
        Path file = Files.writeString(dir.resolve("grace.yaml"), "reportGrace: 5s\n");
        assertThatThrownBy(() -> AnalyzerApp.readConfig(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("grace.yaml")
                .hasMessageContaining("reportGrace: at most 2s");
    }

    @Test
    void missingConfigFileIsNamed() {
        assertThatThrownBy(() -> AnalyzerApp.readConfig(dir.resolve("nope.yaml")))
                .isInstanceOf(IOException.class).hasMessageContaining("nope.yaml");
    }
}
