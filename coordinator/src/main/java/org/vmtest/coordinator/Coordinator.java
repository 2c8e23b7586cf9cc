package org.vmtest.coordinator;

import io.dropwizard.configuration.ConfigurationFactory;
import io.dropwizard.configuration.ConfigurationSourceProvider;
import io.dropwizard.core.cli.ServerCommand;
import io.dropwizard.core.setup.Bootstrap;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.sourceforge.argparse4j.inf.Namespace;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;

/**
 * The coordinator inside another program (the CLI's {@code dev} and {@code demo}): starts the Dropwizard
 * application in this process and stops it on {@link #close()}.
 *
 * <pre>
 * try (Coordinator c = Coordinator.start(Path.of("deploy/config/coordinator.yml"))) {
 *     URI api = c.baseUri().resolve("/api/v1/runs");
 * }
 * </pre>
 */
public final class Coordinator implements AutoCloseable {
    private final Server server;

    private Coordinator(Server server) {
        this.server = server;
    }

    /** Starts from a YAML file, with {@code ${ENV}} substitution, as {@code server <file>} would. */
    public static Coordinator start(Path configFile) throws Exception {
        return start(new CoordinatorApplication(), configFile.toString(), null);
    }

    /** As {@link #start(Path)}, with the time the coordinator goes by (a test moves it). */
    public static Coordinator start(Path configFile, Clock clock) throws Exception {
        return start(new CoordinatorApplication(clock), configFile.toString(), null);
    }

    /** Starts from a configuration built in code. */
    public static Coordinator start(CoordinatorConfiguration config) throws Exception {
        return start(new CoordinatorApplication(), null, Objects.requireNonNull(config, "config"));
    }

    private static Coordinator start(CoordinatorApplication app, String file, CoordinatorConfiguration given)
            throws Exception {
        Bootstrap<CoordinatorConfiguration> bootstrap = new Bootstrap<>(app);
        app.initialize(bootstrap);
        if (given != null) {
            bootstrap.setConfigurationFactoryFactory((klass, validator, mapper, prefix) -> new GivenConfiguration(given));
        }
        Map<String, Object> args = new HashMap<>();
        args.put("file", file);
        new ServerCommand<>(app).run(bootstrap, new Namespace(args));
        try {
            return new Coordinator(app.server().get(60, TimeUnit.SECONDS));
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the coordinator did not start", e);
        }
    }

    /** {@code http://host:port/} of the application connector (the API is under {@code api/v1/}). */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port(0) + "/");
    }

    /** The admin connector's port (health checks, tasks). */
    public int adminPort() {
        return port(1);
    }

    private int port(int index) {
        return ((NetworkConnector) server.getConnectors()[index]).getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    private record GivenConfiguration(CoordinatorConfiguration config) implements ConfigurationFactory<CoordinatorConfiguration> {
        @Override
        public CoordinatorConfiguration build(ConfigurationSourceProvider provider, String path) {
            return config;
        }

        @Override
        public CoordinatorConfiguration build() {
            return config;
        }
    }
}
