package org.vmtest.systemtests.badinput;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * Generates hostile requests for the coordinator's API: random and mutated JSON bodies, wrong types, huge and
 * deeply nested bodies, path tricks in the log endpoint, odd methods and headers. Seeded, so a failure can be
 * replayed with the seed the test prints.
 */
final class RequestFuzzer {
    /**
     * Well-formed but naming no profile of the catalogue: a mutation that stays valid is refused with 4xx instead of
     * queueing a real VM job ahead of the suite's own jobs.
     */
    private static final String VALID = "{\"profiles\":[\"no-such-profile\"],\"labels\":{\"commit\":\"abc\"},\"overrides\":{\"attemptLimit\":2}}";
    private static final List<String> LOG_KINDS = List.of("console", "install", "test", "stream", "thoughts");
    private static final List<String> PATH_TRICKS = List.of(
            "..", "../..", "..%2f..%2fetc%2fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..%5c..%5cwindows",
            "%00", "a%00b", "con", "%2f", "%252e%252e%252f", "....//....//etc", "~root", "%c0%ae%c0%ae%c0%af",
            ".%2e/.%2e/etc/passwd", "job;rm -rf", "job%0d%0aX-Injected:%20yes", "%ff%fe", "%e2%80%ae",
            "x".repeat(5000), "%", "%zz", "*", "?", "#", "job.", ".job", "-", "_");
    private static final List<String> WRONG_VALUES = List.of(
            "null", "true", "0", "-1", "1e309", "123456789012345678901234567890", "\"\"", "\" \"", "[]", "{}",
            "[null]", "[1,2]", "[[\"no-such-profile\"]]", "{\"a\":1}", "\"no-such-profile\"", "\"\\u0000\"", "\"" + "p".repeat(10_000) + "\"",
            "[\"\\ud800\"]", "[\"../../etc/passwd\"]", "[\"nope\",\"nope\",\"nope\"]");

    private final Random random;
    private final URI base;

    RequestFuzzer(long seed, URI base) {
        this.random = new Random(seed);
        this.base = base;
    }

    /** The next hostile request; the caller adds the bearer token unless the request carries its own. */
    HttpRequest.Builder next() {
        return switch (random.nextInt(10)) {
            case 0 -> post(randomJson(0));
            case 1 -> post(mutate(VALID));
            case 2 -> post(wrongTypes());
            case 3 -> random.nextBoolean() ? post(huge()) : post(deeplyNested());
            case 4 -> logRequest();
            case 5 -> get("/api/v1/runs/" + pick(PATH_TRICKS));
            case 6 -> get("/api/v1/runs?state=" + pick(PATH_TRICKS) + "&limit=" + pick(List.of("-1", "0", "x", "99999999999", "1e3"))
                    + "&offset=" + pick(List.of("-5", "abc", "2147483648")) + "&label=" + pick(PATH_TRICKS));
            case 7 -> oddMethod();
            case 8 -> badHeaders();
            default -> post(randomBytes(random.nextInt(2000)));
        };
    }

    private HttpRequest.Builder post(String body) {
        return post(body.getBytes(StandardCharsets.UTF_8));
    }

    private HttpRequest.Builder post(byte[] body) {
        String type = random.nextInt(8) == 0 ? pick(List.of("text/plain", "application/xml", "application/json; charset=latin1",
                "multipart/form-data", "application/x-www-form-urlencoded", "*/*")) : "application/json";
        return HttpRequest.newBuilder(base.resolve("/api/v1/runs")).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    }

    private HttpRequest.Builder get(String rawPath) {
        return HttpRequest.newBuilder(uri(rawPath)).GET();
    }

    /** The path as written when it is a legal URI, else with the offending characters percent-encoded. */
    private URI uri(String rawPath) {
        try {
            return URI.create(base + rawPath);
        } catch (IllegalArgumentException e) {
            StringBuilder sb = new StringBuilder();
            for (byte b : rawPath.getBytes(StandardCharsets.UTF_8)) {
                char c = (char) (b & 0xff);
                if (c > 0x20 && c < 0x7f && "\"<>\\^`{|}% #".indexOf(c) < 0) sb.append(c);
                else sb.append('%').append(String.format("%02X", b & 0xff));
            }
            return URI.create(base.toString() + sb);
        }
    }

    private HttpRequest.Builder logRequest() {
        String id = random.nextBoolean() ? pick(PATH_TRICKS) : "job-" + Integer.toHexString(random.nextInt());
        String kind = random.nextBoolean() ? pick(LOG_KINDS) : pick(PATH_TRICKS);
        String query = switch (random.nextInt(4)) {
            case 0 -> "?tail=" + pick(List.of("-1", "0", "abc", "99999999999999", "1e9", ""));
            case 1 -> "?tail=10&tail=20";
            default -> "";
        };
        HttpRequest.Builder b = get("/api/v1/jobs/" + id + "/logs/" + kind + query);
        if (random.nextBoolean()) {
            b.header("Range", pick(List.of("bytes=0-", "bytes=-1", "bytes=5-1", "bytes=abc", "bytes=0-0,1-1,2-2",
                    "bytes=99999999999999999999-", "items=0-5", "bytes=-0", "bytes=" + "0-1,".repeat(500))));
        }
        return b;
    }

    private HttpRequest.Builder oddMethod() {
        String path = pick(List.of("/api/v1/runs", "/api/v1/runs/x", "/api/v1/profiles", "/api/v1/workers",
                "/api/v1/jobs/x/logs/console", "/api/v1/profiles/" + pick(PATH_TRICKS)));
        String method = pick(List.of("PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "POST", "FOO"));
        return HttpRequest.newBuilder(uri(path))
                .method(method, HttpRequest.BodyPublishers.ofString(randomJson(0)));
    }

    private HttpRequest.Builder badHeaders() {
        String auth = pick(List.of("Bearer", "Bearer ", "Bearer " + "x".repeat(8000), "Basic dXNlcjpwYXNz",
                "bearer wrong", "Token abc", "Bearer \u00e9t\u00e9", "Bearer a b c"));
        HttpRequest.Builder b = random.nextBoolean() ? get("/api/v1/runs") : post(VALID);
        b.header("Authorization", auth);
        if (random.nextBoolean()) b.header("Accept", pick(List.of("application/xml", "*/*;q=x", "text/event-stream", "image/png")));
        if (random.nextBoolean()) b.header("Last-Event-ID", pick(PATH_TRICKS));
        return b;
    }

    private String wrongTypes() {
        String field = pick(List.of("profiles", "labels", "overrides"));
        String value = pick(WRONG_VALUES);
        return switch (field) {
            case "profiles" -> "{\"profiles\":" + value + "}";
            case "labels" -> "{\"profiles\":[\"nope-" + random.nextInt(1000) + "\"],\"labels\":" + value + "}";
            default -> "{\"profiles\":[\"nope\"],\"overrides\":" + (random.nextBoolean() ? value : "{\"attemptLimit\":" + value + "}") + "}";
        };
    }

    /** Over the coordinator's 1 MiB request limit. */
    private byte[] huge() {
        int size = pick(List.of(1_100_000, 2_000_000, 5_000_000));
        StringBuilder sb = new StringBuilder(size + 40).append("{\"profiles\":[\"");
        sb.append("a".repeat(size)).append("\"]}");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private String deeplyNested() {
        int depth = pick(List.of(1000, 5000, 50_000));
        return "{\"profiles\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
    }

    private String mutate(String json) {
        StringBuilder sb = new StringBuilder(json);
        int edits = 1 + random.nextInt(4);
        for (int i = 0; i < edits && !sb.isEmpty(); i++) {
            int at = random.nextInt(sb.length());
            switch (random.nextInt(4)) {
                case 0 -> sb.deleteCharAt(at);
                case 1 -> sb.insert(at, (char) (random.nextInt(0x80)));
                case 2 -> sb.setCharAt(at, pick(List.of('"', '{', '}', '[', ']', ',', ':', '\\', '\u0000', 'x')));
                default -> sb.insert(at, pick(WRONG_VALUES));
            }
        }
        return sb.toString();
    }

    private String randomJson(int depth) {
        int kind = depth > 4 ? random.nextInt(4) : random.nextInt(6);
        return switch (kind) {
            case 0 -> "null";
            case 1 -> Long.toString(random.nextLong());
            case 2 -> "\"" + randomText(random.nextInt(30)) + "\"";
            case 3 -> random.nextBoolean() ? "true" : "false";
            case 4 -> {
                StringBuilder sb = new StringBuilder("[");
                for (int i = random.nextInt(4); i > 0; i--) sb.append(randomJson(depth + 1)).append(i > 1 ? "," : "");
                yield sb.append(']').toString();
            }
            default -> {
                StringBuilder sb = new StringBuilder("{");
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    String key = random.nextInt(3) == 0 ? pick(List.of("profiles", "labels", "overrides", "attemptLimit")) : randomText(8);
                    sb.append('"').append(key).append("\":").append(randomJson(depth + 1)).append(i < n - 1 ? "," : "");
                }
                yield sb.append('}').toString();
            }
        };
    }

    private String randomText(int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            char c = (char) (0x20 + random.nextInt(0x5e));
            sb.append(c == '"' || c == '\\' ? '_' : c);
        }
        return sb.toString();
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private <T> T pick(List<T> options) {
        return options.get(random.nextInt(options.size()));
    }

    static Duration budget() {
        return Duration.ofSeconds(Long.getLong("vmtest.fuzz.seconds", 120));
    }
}
