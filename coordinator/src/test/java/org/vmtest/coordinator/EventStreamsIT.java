package org.vmtest.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.vmtest.coordinator.TestCoordinators.READ_TOKEN;
import static org.vmtest.coordinator.TestCoordinators.SUBMIT_TOKEN;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.codec.Json;
import org.vmtest.protocol.stream.Line;
import org.vmtest.testing.KafkaClusterExtension;

/** Event streams against a real coordinator: a client that stops reading harms no one; each token has a cap. */
class EventStreamsIT {
    private static final int STREAMS_PER_TOKEN = 3;

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    @TempDir
    static Path dir;

    private static Coordinator coordinator;

    @BeforeAll
    static void start() throws Exception {
        // A long idle timeout: Jetty would otherwise fail a write stalled for 30 s and so unblock whoever waits on it.
        coordinator = Coordinator.start(TestCoordinators.configFile(dir, KAFKA.settings(), TestCoordinators.PROFILES,
                "eventStreamQueue: 500\neventHistoryBytesPerRun: 64MiB\nmaxEventStreamsPerToken: " + STREAMS_PER_TOKEN, "[]", ", idleTimeout: 10m"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (coordinator != null) coordinator.close();
    }

    private static URI api(String path) {
        return coordinator.baseUri().resolve("/api/v1" + path);
    }

    private static String submit(String profile) throws Exception {
        HttpResponse<String> created = TestCoordinators.post(api("/runs"), SUBMIT_TOKEN, "{\"profiles\":[\"" + profile + "\"]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return created.body();
    }

    /**
     * Opens a run's event stream on a socket with a tiny receive buffer, reads the answer's head and no more.
     * Returns the socket (the stream, if the answer was 200) and the head.
     */
    private static Socket openWithoutReading(String runId, String token, StringBuilder head) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", coordinator.baseUri().getPort()), 5000);
        socket.setSoTimeout(20_000);
        socket.getOutputStream().write(("GET /api/v1/runs/" + runId + "/events HTTP/1.1\r\nHost: x\r\n"
                + "Accept: text/event-stream\r\nAuthorization: Bearer " + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        while (!bytes.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) break;
            bytes.write(b);
        }
        head.append(bytes.toString(StandardCharsets.ISO_8859_1));
        return socket;
    }

    /**
     * Names of the run's events, read from the start until {@code until} arrives or the deadline passes. Like a
     * browser's EventSource, it reconnects with Last-Event-ID when the coordinator ends its stream (it drops a client
     * that falls behind).
     */
    private static List<String> follow(String runId, String until, Duration within) throws Exception {
        List<String> names = new ArrayList<>();
        Instant deadline = Instant.now().plus(within);
        String lastId = null;
        while (Instant.now().isBefore(deadline)) {
            HttpRequest.Builder request = HttpRequest.newBuilder(api("/runs/" + runId + "/events"))
                    .header("Accept", "text/event-stream").header("Authorization", "Bearer " + READ_TOKEN)
                    .timeout(Duration.between(Instant.now(), deadline));
            if (lastId != null) request.header("Last-Event-ID", lastId);
            HttpResponse<InputStream> r = TestCoordinators.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(r.statusCode()).isEqualTo(200);
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                for (String line; Instant.now().isBefore(deadline) && (line = in.readLine()) != null; ) {
                    if (line.startsWith("id:")) lastId = line.substring(3).trim();
                    if (!line.startsWith("event:")) continue;
                    names.add(line.substring(6).trim());
                    if (until.equals(names.get(names.size() - 1))) return names;
                }
            }
        }
        return names;
    }

    @Test
    void aClientThatNeverReadsDelaysNeitherAnotherClientNorTheRunState() throws Exception {
        JsonNode run = Json.mapper().readTree(submit("panic"));
        String runId = run.get("id").asText();
        String jobId = run.get("jobs").get(0).get("id").asText();
        StringBuilder head = new StringBuilder();
        try (Socket stalled = openWithoutReading(runId, READ_TOKEN, head);
             KafkaProducer<String, byte[]> producer = TestCoordinators.producer(KAFKA.settings())) {
            assertThat(head).startsWith("HTTP/1.1 200");

            // ~12 MB of console for the run: far more than the stalled client's socket buffers can hold.
            String text = "x".repeat(8 * 1024);
            Instant t = Instant.parse("2030-01-01T10:00:00Z");
            for (int seq = 1000; seq < 2500; seq++) {
                TestCoordinators.send(producer, KAFKA.settings().topics().stream(), jobId, TestCoordinators.STREAM.encode(
                        new Line(jobId, 1, seq, LineSource.CONSOLE, Phase.PROVISIONING, t, text, false)));
            }
            TestCoordinators.playJob(producer, KAFKA.settings(), runId, jobId, "panic", Verdict.ABORTED);
            long played = System.nanoTime();

            List<String> seen = follow(runId, "run-verdict", Duration.ofSeconds(90));
            System.out.printf("run-verdict reached another client %d ms after the job's last record was sent%n",
                    (System.nanoTime() - played) / 1_000_000);
            assertThat(seen).as("another client follows the run to its end").contains("line", "job-verdict").endsWith("run-verdict");
            JsonNode state = Json.mapper().readTree(TestCoordinators.get(api("/runs/" + runId), READ_TOKEN).body());
            assertThat(state.get("verdict").asText()).as("the run state kept up").isEqualTo("ABORTED");
        }
    }

    @Test
    void aTokenMayHoldOnlySoManyStreamsAndGetsItsPlaceBackWhenOneCloses() throws Exception {
        String runId = Json.mapper().readTree(submit("pass")).get("id").asText();
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < STREAMS_PER_TOKEN; i++) {
                StringBuilder head = new StringBuilder();
                open.add(openWithoutReading(runId, SUBMIT_TOKEN, head));
                assertThat(head).startsWith("HTTP/1.1 200");
            }

            RawHttp.Answer refused = RawHttp.send(coordinator.baseUri().getPort(), "GET /api/v1/runs/" + runId
                    + "/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\nConnection: close\r\nAuthorization: Bearer " + SUBMIT_TOKEN);
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.contentType()).startsWith("application/json");
            assertThat(Json.mapper().readTree(refused.body()).get("message").asText()).contains("maxEventStreamsPerToken");
            assertThat(follow(runId, "run", Duration.ofSeconds(30))).as("another token is not held back").contains("run");

            open.remove(0).close();
            // The coordinator notices a closed client when it next writes to it (an event or the 15 s keep-alive).
            await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                StringBuilder head = new StringBuilder();
                Socket again = openWithoutReading(runId, SUBMIT_TOKEN, head);
                if (head.toString().startsWith("HTTP/1.1 200")) {
                    open.add(again);
                    return true;
                }
                again.close();
                return false;
            });
        } finally {
            for (Socket s : open) s.close();
        }
    }
}
