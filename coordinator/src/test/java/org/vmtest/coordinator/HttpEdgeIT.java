package org.vmtest.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.vmtest.coordinator.TestCoordinators.READ_TOKEN;
import static org.vmtest.coordinator.TestCoordinators.SUBMIT_TOKEN;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.protocol.codec.Json;
import org.vmtest.testing.KafkaClusterExtension;

/** The coordinator's HTTP edge with real requests: credentials kept out of URLs and logs, bodies and errors. */
class HttpEdgeIT {
    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    @TempDir
    static Path dir;

    private static Coordinator coordinator;
    private static Path requestLog;

    @BeforeAll
    static void start() throws Exception {
        requestLog = dir.resolve("requests.log");
        coordinator = Coordinator.start(TestCoordinators.configFile(dir, KAFKA.settings(), TestCoordinators.PROFILES, "",
                "[{type: file, currentLogFilename: \"" + requestLog + "\", archive: false}]"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (coordinator != null) coordinator.close();
    }

    private static URI api(String path) {
        return coordinator.baseUri().resolve("/api/v1" + path);
    }

    private static int port() {
        return coordinator.baseUri().getPort();
    }

    private static String submitRun() throws Exception {
        HttpResponse<String> created = TestCoordinators.post(api("/runs"), SUBMIT_TOKEN, "{\"profiles\":[\"pass\"]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return Json.mapper().readTree(created.body()).get("id").asText();
    }

    private static JsonNode ticket(String runId, String token) throws Exception {
        HttpResponse<String> r = TestCoordinators.send(HttpRequest.newBuilder(api("/runs/" + runId + "/events/ticket"))
                .POST(HttpRequest.BodyPublishers.noBody()), token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.mapper().readTree(r.body());
    }

    /** The first event of a stream opened without a header, or the refusal's status and body. */
    private static String firstEvent(URI events) throws Exception {
        HttpResponse<InputStream> r = TestCoordinators.HTTP.send(HttpRequest.newBuilder(events)
                .header("Accept", "text/event-stream").timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            if (r.statusCode() != 200) return r.statusCode() + " " + in.readLine();
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("event:")) return line.substring(6).trim();
            }
            return "end of stream";
        }
    }

    @Test
    void aTokenInAUrlIsRefusedAndAnEventStreamOpensWithATicketForItsRunOnly() throws Exception {
        String runId = submitRun();
        String other = submitRun();

        assertThat(firstEvent(api("/runs/" + runId + "/events?access_token=" + READ_TOKEN)))
                .startsWith("401").contains("never accepted in a URL");
        assertThat(TestCoordinators.get(api("/runs?token=" + READ_TOKEN), null).statusCode()).isEqualTo(401);
        assertThat(TestCoordinators.send(HttpRequest.newBuilder(api("/runs/" + runId + "/events/ticket"))
                .POST(HttpRequest.BodyPublishers.noBody()), null).statusCode()).as("a ticket needs a token").isEqualTo(401);

        JsonNode ticket = ticket(runId, READ_TOKEN);
        String value = ticket.get("ticket").asText();
        assertThat(value).doesNotContain(READ_TOKEN);
        assertThat(ticket.get("events").asText()).isEqualTo("/api/v1/runs/" + runId + "/events?ticket=" + value);

        assertThat(firstEvent(coordinator.baseUri().resolve(ticket.get("events").asText()))).isEqualTo("run");
        assertThat(firstEvent(api("/runs/" + other + "/events?ticket=" + value))).as("another run").startsWith("401");
        assertThat(TestCoordinators.get(api("/runs/" + runId + "?ticket=" + value), null).statusCode())
                .as("a ticket is no token").isEqualTo(401);
        assertThat(firstEvent(api("/runs/" + runId + "/events?ticket=" + value.replace('.', 'x')))).startsWith("401");
        assertThat(firstEvent(coordinator.baseUri().resolve(ticket(runId, SUBMIT_TOKEN).get("events").asText())))
                .isEqualTo("run");

        // The request log: every request above is there, with no token and no ticket.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(Files.readString(requestLog)).contains("/runs/" + other + "/events?ticket=***"));
        String logged = Files.readString(requestLog);
        assertThat(logged).contains("access_token=***", "/runs/" + runId + "/events/ticket")
                .doesNotContain(READ_TOKEN).doesNotContain(SUBMIT_TOKEN).doesNotContain(value);
    }

    @Test
    void aLogLargerThanTheHeapIsServedStreamedWholeAndInRanges() throws Exception {
        Path log = dir.resolve("archive").resolve("r-huge").resolve("j-huge").resolve("console.log");
        Files.createDirectories(log.getParent());
        // Sparse: no disk space, but more bytes than this JVM's heap and than one Java array can hold.
        long size = Math.max(3L << 30, Runtime.getRuntime().maxMemory() + (1L << 30));
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(log.toFile(), "rw")) {
            f.write("first line\n".getBytes(StandardCharsets.UTF_8));
            f.setLength(size - 10);
            f.seek(size - 10);
            f.write("last line\n".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(Runtime.getRuntime().maxMemory()).as("the log is larger than this JVM's heap").isLessThan(size);

        HttpResponse<InputStream> whole = TestCoordinators.HTTP.send(HttpRequest.newBuilder(api("/jobs/j-huge/logs/console"))
                .header("Authorization", "Bearer " + READ_TOKEN).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.headers().firstValueAsLong("Content-Length")).hasValue(size);
        try (InputStream in = whole.body()) {
            assertThat(new String(in.readNBytes(11), StandardCharsets.UTF_8)).isEqualTo("first line\n");
        }

        HttpResponse<String> end = TestCoordinators.send(HttpRequest.newBuilder(api("/jobs/j-huge/logs/console"))
                .header("Range", "bytes=" + (size - 10) + "-"), READ_TOKEN);
        assertThat(end.statusCode()).isEqualTo(206);
        assertThat(end.body()).isEqualTo("last line\n");
        assertThat(end.headers().firstValue("Content-Range")).hasValue("bytes " + (size - 10) + "-" + (size - 1) + "/" + size);

        HttpResponse<InputStream> open = TestCoordinators.HTTP.send(HttpRequest.newBuilder(api("/jobs/j-huge/logs/console"))
                .header("Authorization", "Bearer " + READ_TOKEN).header("Range", "bytes=0-")
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(open.statusCode()).as("a range larger than 2 GiB").isEqualTo(206);
        assertThat(open.headers().firstValueAsLong("Content-Length")).hasValue(size);
        open.body().close();
    }

    @Test
    void anUnauthenticatedLargeBodyIsRefusedWith401BeforeItIsRead() throws Exception {
        RawHttp.Answer answer = RawHttp.send(port(), String.join("\r\n",
                "POST /api/v1/runs HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
                "Content-Length: 100000000"), new byte[64 * 1024]);

        assertThat(answer.status()).as(answer.body()).isEqualTo(401);
        assertThat(Json.mapper().readTree(answer.body()).get("message").asText()).contains("bearer token");

        RawHttp.Answer readOnly = RawHttp.send(port(), String.join("\r\n",
                "POST /api/v1/runs HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
                "Authorization: Bearer " + READ_TOKEN, "Content-Length: 100000000"), new byte[64 * 1024]);
        assertThat(readOnly.status()).as("a read token may not submit: 403 before the body").isEqualTo(403);
    }

    @Test
    void everyRefusalAtEveryLayerAnswersWithAJsonMessage() throws Exception {
        String auth = "Authorization: Bearer " + SUBMIT_TOKEN;
        String bigHeader = "X-Filler: " + "a".repeat(64 * 1024);
        List<String[]> cases = List.of(
                new String[] {"bad %-escape in the path", "GET /api/v1/runs/%zz HTTP/1.1\r\nHost: x\r\n" + auth},
                new String[] {"bad %-escape outside the API", "GET /%zz HTTP/1.1\r\nHost: x"},
                new String[] {"encoded dot segments", "GET /api/v1/jobs/..%2F..%2Fetc/logs/console HTTP/1.1\r\nHost: x\r\n" + auth},
                new String[] {"encoded NUL", "GET /api/v1/runs/a%00b HTTP/1.1\r\nHost: x\r\n" + auth},
                new String[] {"unknown method on the API", "BREW /api/v1/runs HTTP/1.1\r\nHost: x\r\n" + auth},
                new String[] {"unknown method on a page", "BREW /index.html HTTP/1.1\r\nHost: x"},
                new String[] {"DELETE on a page", "DELETE /index.html HTTP/1.1\r\nHost: x"},
                new String[] {"unknown page", "GET /no-such-page.html HTTP/1.1\r\nHost: x"},
                new String[] {"unknown API path", "GET /api/v2/runs HTTP/1.1\r\nHost: x\r\n" + auth},
                new String[] {"405 on the API", "PUT /api/v1/runs HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n" + auth},
                new String[] {"406 on the API", "GET /api/v1/runs HTTP/1.1\r\nHost: x\r\nAccept: application/xml\r\n" + auth},
                new String[] {"415 on the API", "POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n" + auth + "\r\n\r\nhi"},
                new String[] {"malformed JSON", "POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 3\r\n" + auth + "\r\n\r\n{\"p"},
                new String[] {"headers too large", "GET /api/v1/runs HTTP/1.1\r\nHost: x\r\n" + bigHeader},
                new String[] {"URI too long", "GET /api/v1/runs/" + "r".repeat(70 * 1024) + " HTTP/1.1\r\nHost: x"},
                new String[] {"garbage request line", "HELLO THERE"},
                new String[] {"unknown HTTP version", "GET / HTTP/7.1\r\nHost: x"},
                new String[] {"no Host header", "GET /api/v1/runs HTTP/1.1\r\n" + auth},
                new String[] {"bad header line", "GET /api/v1/runs HTTP/1.1\r\nHost: x\r\nno colon here"},
                new String[] {"bad Content-Length", "POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n" + auth});
        for (String[] c : cases) {
            RawHttp.Answer answer = RawHttp.send(port(), c[1] + "\r\nConnection: close");
            assertThat(answer.status()).as(c[0]).isBetween(400, 599);
            assertThat(answer.contentType()).as(c[0] + ": " + answer.body()).startsWith("application/json");
            JsonNode body = Json.mapper().readTree(answer.body());
            assertThat(body.get("code").asInt()).as(c[0] + ": " + answer.body()).isEqualTo(answer.status());
            assertThat(body.get("message").asText()).as(c[0] + ": " + answer.body()).isNotBlank();
        }
    }
}
