package org.vmtest.cli.dev;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The coordinator's configuration for the local cluster, as objects that Jackson's YAML mapper writes: every value
 * is quoted and escaped as YAML needs, and a path is written as Jackson reads a path back (a {@code file:} URI, as
 * a plain path with a colon in it would be taken for a URI), which text assembled with {@code %s} never was. The
 * file is what the coordinator reads, and what a user may copy.
 *
 * <pre>
 * DevCoordinatorConfig.of("127.0.0.1:9092", 8080, token, profilesDir, archiveDir).write(outDir.resolve("coordinator.yml"));
 * </pre>
 */
record DevCoordinatorConfig(Kafka kafka, Path profilesDir, Path archiveDir, Auth auth, boolean webView, Server server,
                            Logging logging) {
    private static final YAMLMapper YAML = new YAMLMapper();

    record Kafka(String bootstrapServers, int partitions) {
    }

    record Auth(boolean enabled, List<Token> tokens) {
    }

    record Token(String name, String token, List<String> scopes) {
    }

    record Server(List<Connector> applicationConnectors, List<Connector> adminConnectors, RequestLog requestLog) {
    }

    record Connector(String type, String bindHost, int port) {
        static Connector loopbackHttp(int port) {
            return new Connector("http", "127.0.0.1", port);
        }
    }

    record RequestLog(List<Object> appenders) {
    }

    record Logging(String type) {
    }

    static DevCoordinatorConfig of(String bootstrapServers, int port, String token, Path profilesDir, Path archiveDir) {
        return new DevCoordinatorConfig(new Kafka(bootstrapServers, 3), profilesDir.toAbsolutePath(),
                archiveDir.toAbsolutePath(), new Auth(true, List.of(new Token("dev", token, List.of("submit")))), true,
                new Server(List.of(Connector.loopbackHttp(port)), List.of(Connector.loopbackHttp(0)),
                        new RequestLog(List.of())),
                // Whoever embeds the cluster owns logging (ServiceLogs: a file per service, the terminal with
                // --verbose); Dropwizard's default would reset logback and print to stdout over the progress view.
                new Logging("external"));
    }

    void write(Path file) throws IOException {
        YAML.writeValue(file.toFile(), this);
    }
}
