package org.vmtest.testing.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The coordinator's HTTP API as a CI script sees it ({@code /api/v1}, bearer token with the submit scope), over
 * {@code java.net.http}. Answers are plain Jackson trees: the test reads the field names a user's script reads.
 */
public final class ClusterApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final URI base;
    private final URI admin;
    private final String token;
    private final HttpClient http;

    public ClusterApi(URI base, URI admin, String token) {
        this.base = base;
        this.admin = admin;
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** An HTTP answer: status and body. */
    public record Reply(int status, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON (status " + status + "): " + body, e);
            }
        }
    }

    public URI base() {
        return base;
    }

    public URI admin() {
        return admin;
    }

    public String token() {
        return token;
    }

    public HttpClient http() {
        return http;
    }

    /** {@code POST /api/v1/runs}; the run JSON of the 201 answer. */
    public JsonNode submit(List<String> profiles) {
        return submit(profiles, Map.of());
    }

    public JsonNode submit(List<String> profiles, Map<String, String> labels) {
        ObjectNode body = JSON.createObjectNode();
        body.set("profiles", JSON.valueToTree(profiles));
        if (!labels.isEmpty()) body.set("labels", JSON.valueToTree(labels));
        return submit(body);
    }

    /** {@code POST /api/v1/runs} with a whole request body (profileDefinitions, variables, artifacts…). */
    public JsonNode submit(ObjectNode body) {
        Reply reply = send(HttpRequest.newBuilder(base.resolve("/api/v1/runs"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
        if (reply.status() != 201) {
            throw new IllegalStateException("POST /api/v1/runs " + body.path("profiles") + " answered " + reply.status()
                    + ": " + reply.body());
        }
        return reply.json();
    }

    /** {@code GET /api/v1/runs/{id}}. */
    public JsonNode run(String runId) {
        Reply reply = get("/api/v1/runs/" + runId);
        if (reply.status() != 200) {
            throw new IllegalStateException("GET /api/v1/runs/" + runId + " answered " + reply.status() + ": " + reply.body());
        }
        return reply.json();
    }

    /** A GET with the bearer token; the path may carry a query. */
    public Reply get(String pathAndQuery) {
        return send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).GET());
    }

    /** The admin port's {@code /healthcheck}: status and the checks' JSON. */
    public Reply healthcheck() {
        return send(HttpRequest.newBuilder(admin.resolve("/healthcheck")).GET());
    }

    /** Sends with the bearer token unless the builder already set an Authorization header. */
    public Reply send(HttpRequest.Builder request) {
        HttpRequest built = request.timeout(REQUEST_TIMEOUT).build();
        if (built.headers().firstValue("Authorization").isEmpty()) {
            built = HttpRequest.newBuilder(built, (name, value) -> true)
                    .header("Authorization", "Bearer " + token).build();
        }
        return sendRaw(built);
    }

    /** Sends exactly this request: no token added. */
    public Reply sendRaw(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** True when the admin port answers its health check with 200. */
    public boolean healthy() {
        try {
            return healthcheck().status() == 200;
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    /** True when the API port accepts connections at all (any HTTP status). */
    public boolean answers() {
        try {
            get("/api/v1/profiles");
            return true;
        } catch (UncheckedIOException e) {
            return false;
        }
    }
}
