package org.vmtest.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CoordinatorConfigurationTest {
    @Test
    void theExampleConfigLoadsWithItsDefaults() throws Exception {
        CoordinatorConfiguration config = new YamlConfigurationFactory<>(CoordinatorConfiguration.class,
                Validators.newValidator(), Jackson.newObjectMapper(), "dw")
                .build(new SubstitutingSourceProvider(new FileConfigurationSourceProvider(),
                        new EnvironmentVariableSubstitutor(false)), "../deploy/config/coordinator.yml");

        assertThat(config.getKafka().topics().prefix()).isEqualTo("vmtest");
        assertThat(config.getProfilesDir()).isEqualTo(Path.of("/etc/vmtest/profiles"));
        assertThat(config.getArchiveRetention().toJavaDuration()).isEqualTo(Duration.ofDays(14));
        assertThat(config.getArchiveGroupId()).isEqualTo("vmtest-archive");
        assertThat(config.getAuth().enabled()).isTrue();
        assertThat(config.getAuth().tokens()).extracting(t -> t.name()).containsExactly("ci", "dashboard");
        assertThat(config.isWebView()).isTrue();
    }
}
