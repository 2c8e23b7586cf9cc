package org.vmtest.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vmtest.coordinator.TestCoordinators.READ_TOKEN;
import static org.vmtest.coordinator.TestCoordinators.SUBMIT_TOKEN;
import static org.vmtest.coordinator.TestCoordinators.post;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.protocol.codec.Json;
import org.vmtest.testing.KafkaClusterExtension;

/** A coordinator stops promptly although a client follows a run's events, and that client sees its stream end. */
class ShutdownIT {
    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    @TempDir
    Path dir;

    @Test
    void anOpenEventStreamIsEndedWhenTheCoordinatorStopsInsteadOfHoldingTheShutdown() throws Exception {
        Path config = TestCoordinators.configFile(dir, KAFKA.settings(), TestCoordinators.PROFILES, "");
        Coordinator coordinator = Coordinator.start(config);
        CompletableFuture<Boolean> streamEnded;
        try {
            URI runs = coordinator.baseUri().resolve("/api/v1/runs");
            HttpResponse<String> created = post(runs, SUBMIT_TOKEN, "{\"profiles\":[\"pass\"]}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonNode run = Json.mapper().readTree(created.body());
            HttpRequest follow = HttpRequest.newBuilder(runs.resolve("runs/" + run.get("id").asText() + "/events"))
                    .header("Accept", "text/event-stream").header("Authorization", "Bearer " + READ_TOKEN).GET().build();
            HttpResponse<InputStream> events = TestCoordinators.HTTP.send(follow, HttpResponse.BodyHandlers.ofInputStream());
            assertThat(events.statusCode()).isEqualTo(200);
            BufferedReader in = new BufferedReader(new InputStreamReader(events.body(), StandardCharsets.UTF_8));
            assertThat(in.readLine()).as("the stream is open and sends").isNotNull();
            streamEnded = CompletableFuture.supplyAsync(() -> {
                try {
                    while (in.readLine() != null) {
                        // events and keep-alives until the server ends the stream
                    }
                    return true;
                } catch (java.io.IOException e) {
                    return true;
                }
            });
        } finally {
            long t0 = System.nanoTime();
            coordinator.close();
            long stopMillis = (System.nanoTime() - t0) / 1_000_000;
            // the graceful shutdown waits up to shutdownGracePeriod (30 s by default) for requests still open
            assertThat(stopMillis).as("stop not held by the open event stream").isLessThan(Duration.ofSeconds(20).toMillis());
        }
        assertThat(streamEnded.get(10, TimeUnit.SECONDS)).isTrue();
    }
}
