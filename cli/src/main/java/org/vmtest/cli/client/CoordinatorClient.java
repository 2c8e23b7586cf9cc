package org.vmtest.cli.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vmtest.protocol.codec.Json;

/** The coordinator's REST API, for the CLI. Every failure is a {@link CoordinatorException} that says what went wrong. */
public final class CoordinatorClient {
    private static final Duration DEFAULT_RETRY_FOR = Duration.ofSeconds(60);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(5);

    private final URI base;
    private final String token;
    private final Duration retryFor;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public CoordinatorClient(URI base, String token) {
        this(base, token, DEFAULT_RETRY_FOR);
    }

    /**
     * @param retryFor how long a request keeps being retried while the coordinator cannot be reached or answers
     *                 503 (restarting, reading its state, Kafka away); zero tries once
     */
    public CoordinatorClient(URI base, String token, Duration retryFor) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s : s + "/");
        this.token = token;
        this.retryFor = retryFor;
    }

    public RunView submit(List<String> profiles, Map<String, String> labels) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("profiles", profiles);
        body.put("labels", labels);
        return submit(body);
    }

    /** @param body the whole {@code POST /api/v1/runs} body (variables, artifacts, profile definitions) */
    public RunView submit(Map<String, Object> body) {
        return read(send(request("api/v1/runs").POST(json(body)), 201), RunView.class);
    }

    public RunView run(String runId) {
        return read(send(request("api/v1/runs/" + enc(runId)).GET(), 200), RunView.class);
    }

    public List<RunView> runs(String state, String label) {
        StringBuilder q = new StringBuilder("api/v1/runs?limit=50");
        if (state != null) q.append("&state=").append(enc(state));
        if (label != null) q.append("&label=").append(enc(label));
        JsonNode page = read(send(request(q.toString()).GET(), 200), JsonNode.class);
        JsonNode items = page.isArray() ? page : page.path("runs");
        return Json.mapper().convertValue(items, new TypeReference<List<RunView>>() { });
    }

    public void cancel(String runId) {
        send(request("api/v1/runs/" + enc(runId)).DELETE(), 202);
    }

    public JsonNode workers() {
        return read(send(request("api/v1/workers").GET(), 200), JsonNode.class);
    }

    public String logs(String jobId, String kind, Integer tail) {
        String path = "api/v1/jobs/" + enc(jobId) + "/logs/" + enc(kind) + (tail == null ? "" : "?tail=" + tail);
        return send(request(path).header("Accept", "text/plain").GET(), 200);
    }

    /** Bytes of a log from {@code offset} on; empty when nothing new. */
    public String logsFrom(String jobId, String kind, long offset) {
        HttpRequest req = request("api/v1/jobs/" + enc(jobId) + "/logs/" + enc(kind))
                .header("Accept", "text/plain").header("Range", "bytes=" + offset + "-").GET().build();
        HttpResponse<String> res = exchange(req);
        if (res.statusCode() == 416) return "";
        if (res.statusCode() != 200 && res.statusCode() != 206) throw failure(req, res);
        return res.body();
    }

    /**
     * Follows the run's Server-Sent Events until {@code sink} returns false or the stream ends. Each event's data
     * is handed over parsed.
     *
     * @return the id of the last event seen, to resume from
     */
    public String events(String runId, String lastEventId, java.util.function.Predicate<JsonNode> sink) {
        HttpRequest.Builder b = request("api/v1/runs/" + enc(runId) + "/events").header("Accept", "text/event-stream")
                .timeout(Duration.ofDays(1));
        if (lastEventId != null) b.header("Last-Event-ID", lastEventId);
        HttpRequest req = b.GET().build();
        String last = lastEventId;
        try {
            HttpResponse<InputStream> res = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            if (res.statusCode() != 200) {
                throw new CoordinatorException(req.method() + " " + req.uri() + " answered " + res.statusCode());
            }
            try (BufferedReader in = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
                StringBuilder data = new StringBuilder();
                String id = null;
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.isEmpty()) {
                        if (data.length() > 0) {
                            if (id != null) last = id;
                            JsonNode node = Json.mapper().readTree(data.toString());
                            if (!sink.test(node)) return last;
                        }
                        data.setLength(0);
                        id = null;
                    } else if (line.startsWith("data:")) {
                        if (data.length() > 0) data.append('\n');
                        data.append(line.substring(5).stripLeading());
                    } else if (line.startsWith("id:")) {
                        id = line.substring(3).strip();
                    }
                }
            }
            return last;
        } catch (IOException e) {
            throw new CoordinatorException("event stream of run " + runId + " broke: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return last;
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json");
        if (token != null && !token.isBlank()) b.header("Authorization", "Bearer " + token);
        return b;
    }

    private static HttpRequest.BodyPublisher json(Object body) {
        try {
            return HttpRequest.BodyPublishers.ofByteArray(Json.mapper().writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private String send(HttpRequest.Builder builder, int expected) {
        HttpRequest req = builder.header("Content-Type", "application/json").build();
        HttpResponse<String> res = exchange(req);
        if (res.statusCode() != expected) throw failure(req, res);
        return res.body();
    }

    /**
     * Sends {@code req}, again while the coordinator refuses connections or answers 503, for at most
     * {@link #retryFor}. Both are safe to repeat for every method: a refused connection sent nothing, and a 503
     * from the coordinator means nothing was published.
     */
    private HttpResponse<String> exchange(HttpRequest req) {
        long start = System.nanoTime();
        long deadline = start + retryFor.toNanos();
        for (int attempt = 1; ; attempt++) {
            Duration pause;
            try {
                HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
                if (res.statusCode() != 503 || System.nanoTime() >= deadline) return res;
                pause = retryAfter(res);
            } catch (ConnectException e) {
                if (System.nanoTime() >= deadline) {
                    throw new CoordinatorException("cannot reach the coordinator at " + base + " (" + attempt
                            + " attempt(s) in " + (System.nanoTime() - start) / 1_000_000_000 + " s): " + e, e);
                }
                pause = Duration.ofSeconds(1);
            } catch (IOException e) {
                throw new CoordinatorException("cannot reach the coordinator at " + base + ": " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CoordinatorException("interrupted", e);
            }
            long left = deadline - System.nanoTime();
            try {
                Thread.sleep(Math.max(0, Math.min(pause.toNanos(), left)) / 1_000_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CoordinatorException("interrupted", e);
            }
        }
    }

    private static Duration retryAfter(HttpResponse<?> res) {
        try {
            long seconds = Long.parseLong(res.headers().firstValue("Retry-After").orElse("1").strip());
            return Duration.ofSeconds(Math.max(1, Math.min(seconds, LONGEST_PAUSE.toSeconds())));
        } catch (NumberFormatException dateOrJunk) {
            return Duration.ofSeconds(1);
        }
    }

    private static CoordinatorException failure(HttpRequest req, HttpResponse<String> res) {
        String message = res.body();
        try {
            JsonNode body = Json.mapper().readTree(res.body());
            if (body.hasNonNull("message")) message = body.get("message").asText();
        } catch (IOException | RuntimeException notJson) {
            // keep the raw body as the message
        }
        return new CoordinatorException(req.method() + " " + req.uri().getPath() + " answered " + res.statusCode()
                + ": " + message, res.statusCode());
    }

    private static <T> T read(String body, Class<T> type) {
        try {
            return Json.mapper().readValue(body, type);
        } catch (IOException e) {
            throw new CoordinatorException("the coordinator answered something that is not a " + type.getSimpleName()
                    + ": " + e.getMessage(), e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
