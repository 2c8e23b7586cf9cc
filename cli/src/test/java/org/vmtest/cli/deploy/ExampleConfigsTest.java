package org.vmtest.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.vmtest.analyzer.AnalyzerConfig;
import org.vmtest.protocol.Accelerator;
import org.vmtest.protocol.codec.ConfigYaml;
import org.vmtest.worker.WorkerConfig;

/** The analyzer and worker examples in deploy/config load (the coordinator's is tested in its module). */
class ExampleConfigsTest {
    private static final Path CONFIG = Path.of("..", "deploy", "config");

    @Test
    void theAnalyzerExampleLoads() throws Exception {
        AnalyzerConfig c = ConfigYaml.read(CONFIG.resolve("analyzer.yml"), AnalyzerConfig.class).validated();

        assertThat(c.reportGrace()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.kafka().bootstrapServers()).isNotBlank();
    }

    @Test
    void theWorkerExampleLoads() throws Exception {
        WorkerConfig c = ConfigYaml.read(CONFIG.resolve("worker.yml"), WorkerConfig.class);

        assertThat(c.accelerator()).isEqualTo(Accelerator.AUTO);
        assertThat(c.slots()).isEqualTo(2);
        assertThat(c.workerId()).isNotBlank();
        assertThat(c.imageDir()).isEqualTo(Path.of("/var/lib/vmtest/images"));
    }

    @Test
    void theComposeFileMountsTheExampleConfigs() throws Exception {
        String compose = Files.readString(Path.of("..", "deploy", "compose", "compose.yaml"));

        assertThat(compose).contains("/etc/vmtest/coordinator.yml").contains("/etc/vmtest/analyzer.yml")
                .contains("../config:/etc/vmtest:ro");
    }
}
