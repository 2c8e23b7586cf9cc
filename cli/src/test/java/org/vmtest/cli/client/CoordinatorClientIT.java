package org.vmtest.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.coordinator.Coordinator;
import org.vmtest.testing.KafkaClusterExtension;

/** The CLI's client rides out a coordinator that is not there yet or answers 503, for as long as it is told. */
class CoordinatorClientIT {
    private static final String TOKEN = "client-test-token";

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    @TempDir
    Path dir;

    private Path config(int port, String bootstrap, String extra) throws IOException {
        String yaml = """
                kafka:
                  bootstrapServers: "%s"
                  topicPrefix: "%s"
                  createTopics: %s
                profilesDir: "%s"
                archiveDir: "%s"
                %s
                auth:
                  tokens:
                    - {name: ci, token: "%s", scopes: [submit]}
                server:
                  applicationConnectors: [{type: http, port: %d, bindHost: 127.0.0.1}]
                  adminConnectors: [{type: http, port: 0, bindHost: 127.0.0.1}]
                  requestLog: {appenders: []}
                logging:
                  level: WARN
                """.formatted(bootstrap, KAFKA.topicPrefix(), !bootstrap.equals("127.0.0.1:1"),
                Path.of("../deploy/profiles").toAbsolutePath().normalize(), dir.resolve("archive"), extra, TOKEN, port);
        Path file = dir.resolve("coordinator-" + System.nanoTime() + ".yml");
        Files.writeString(file, yaml);
        return file;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aRequestMadeBeforeTheCoordinatorIsUpIsAnsweredOnceItIs() throws Exception {
        int port = freePort();
        CoordinatorClient client = new CoordinatorClient(URI.create("http://127.0.0.1:" + port), TOKEN,
                Duration.ofSeconds(90));

        CompletableFuture<List<RunView>> runs = CompletableFuture.supplyAsync(() -> client.runs(null, null));
        Thread.sleep(2_000);
        assertThat(runs).as("nothing listens yet").isNotDone();
        try (Coordinator ignored = Coordinator.start(config(port, KAFKA.bootstrapServers(), ""))) {
            assertThat(runs.get(60, TimeUnit.SECONDS)).isNotNull();
        }
    }

    @Test
    void withNoRetriesAnAbsentCoordinatorIsReportedAtOnce() throws Exception {
        int port = freePort();
        CoordinatorClient client = new CoordinatorClient(URI.create("http://127.0.0.1:" + port), TOKEN, Duration.ZERO);

        assertThatThrownBy(() -> client.runs(null, null)).isInstanceOf(CoordinatorException.class)
                .hasMessageContaining("cannot reach the coordinator at http://127.0.0.1:" + port)
                .hasMessageContaining("1 attempt(s)");
    }

    @Test
    void a503IsRetriedUntilTheTimeRunsOutAndThenReportedWithItsMessage() throws Exception {
        // Without Kafka the coordinator cannot read its run state: every list request waits 1 s, then gets a 503.
        try (Coordinator c = Coordinator.start(config(0, "127.0.0.1:1", "kafkaTimeout: 1s"))) {
            CoordinatorClient client = new CoordinatorClient(c.baseUri(), TOKEN, Duration.ofSeconds(6));
            long start = System.nanoTime();

            assertThatThrownBy(() -> client.runs(null, null)).isInstanceOf(CoordinatorException.class)
                    .hasMessageContaining("answered 503")
                    .hasMessageContaining("still reading the run state");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("kept trying for its 6 s")
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(6));
        }
    }
}
