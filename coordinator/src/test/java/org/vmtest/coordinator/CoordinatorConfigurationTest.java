package org.vmtest.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
        assertThat(((DefaultServerFactory) config.getServerFactory()).getAdminConnectors())
                .singleElement().extracting(c -> ((HttpConnectorFactory) c).getBindHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void anAdminConnectorWithoutABindHostListensOnLoopbackOnly() throws Exception {
        CoordinatorConfiguration config = new CoordinatorConfiguration();
        DefaultServerFactory server = (DefaultServerFactory) config.getServerFactory();
        HttpConnectorFactory open = new HttpConnectorFactory();
        open.setBindHost("0.0.0.0");
        server.setAdminConnectors(List.of(new HttpConnectorFactory(), open));

        AdminBinding.loopbackUnlessSet(server);

        assertThat(server.getAdminConnectors()).extracting(c -> ((HttpConnectorFactory) c).getBindHost())
                .as("an address set on purpose is kept").containsExactly("127.0.0.1", "0.0.0.0");
        assertThat(server.getApplicationConnectors()).extracting(c -> ((HttpConnectorFactory) c).getBindHost())
                .as("the API port is not the admin port").containsOnlyNulls();
    }
}
