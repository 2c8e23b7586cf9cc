package org.vmtest.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.vmtest.analyzer.AnalyzerConfig;
import org.vmtest.coordinator.CoordinatorConfiguration;
import org.vmtest.protocol.Accelerator;
import org.vmtest.protocol.codec.ConfigYaml;
import org.vmtest.protocol.codec.Json;
import org.vmtest.worker.WorkerConfig;

/** Every example configuration in deploy/config loads as its service would load it. */
class ExampleConfigsTest {
    private static final Path CONFIG = Path.of("..", "deploy", "config");

    @Test
    void theCoordinatorExampleLoadsWithDropwizard() throws Exception {
        var factory = new YamlConfigurationFactory<>(CoordinatorConfiguration.class,
                Validators.newValidator(), Json.configure(Jackson.newObjectMapper()), "dw");
        var source = new SubstitutingSourceProvider(new FileConfigurationSourceProvider(),
                new EnvironmentVariableSubstitutor(false));

        CoordinatorConfiguration c = factory.build(source, CONFIG.resolve("coordinator.yml").toString());

        assertThat(c.getKafka().topics().jobs()).isEqualTo("vmtest.jobs");
        assertThat(c.getProfilesDir()).isEqualTo(Path.of("/etc/vmtest/profiles"));
    }

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
