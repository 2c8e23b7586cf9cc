package org.vmtest.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.logging.common.ExternalLoggingFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.coordinator.CoordinatorApplication;
import org.vmtest.coordinator.CoordinatorConfiguration;

/** The local cluster's coordinator.yml reads back, through the coordinator's own loader, as the values it was given. */
class DevCoordinatorConfigTest {
    @TempDir
    Path tmp;

    @Test
    void pathsWithQuotesColonsAndHashesReadBackUnchanged() throws Exception {
        Path odd = Files.createDirectories(tmp.resolve("say \"hi\": it's #1 # not a comment"));
        Path file = odd.resolve("coordinator.yml");
        String token = "t\"ok: #en";

        DevCoordinatorConfig.of("127.0.0.1:9092", 18080, token, odd.resolve("profiles"), odd.resolve("archive"))
                .write(file);
        CoordinatorConfiguration config = load(file);

        assertThat(config.getProfilesDir()).isEqualTo(odd.resolve("profiles").toAbsolutePath());
        assertThat(config.getArchiveDir()).isEqualTo(odd.resolve("archive").toAbsolutePath());
        assertThat(config.getKafka().bootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(config.getAuth().tokens()).singleElement()
                .satisfies(t -> assertThat(t.token()).isEqualTo(token))
                .satisfies(t -> assertThat(t.scopes()).containsExactly("submit"));
        var server = (DefaultServerFactory) config.getServerFactory();
        assertThat(((HttpConnectorFactory) server.getApplicationConnectors().get(0)).getPort()).isEqualTo(18080);
        assertThat(((HttpConnectorFactory) server.getApplicationConnectors().get(0)).getBindHost()).isEqualTo("127.0.0.1");
        assertThat(config.getLoggingFactory()).isInstanceOf(ExternalLoggingFactory.class);
    }

    /** As {@code server FILE} reads it: the application's bootstrap (environment substitution, validation). */
    private static CoordinatorConfiguration load(Path file) throws Exception {
        CoordinatorApplication app = new CoordinatorApplication();
        Bootstrap<CoordinatorConfiguration> bootstrap = new Bootstrap<>(app);
        app.initialize(bootstrap);
        return bootstrap.getConfigurationFactoryFactory()
                .create(CoordinatorConfiguration.class, bootstrap.getValidatorFactory().getValidator(),
                        bootstrap.getObjectMapper(), "dw")
                .build(bootstrap.getConfigurationSourceProvider(), file.toString());
    }
}
