package org.vmtest.cli.triage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.cli.ExitCodes;
import org.vmtest.cli.Main;
import org.vmtest.cli.dev.DevCluster;

/**
 * Triage end to end on a real cluster ({@link DevCluster}: broker, coordinator, analyzer, a worker booting
 * the test guest): the API refuses what the analyzer could not run, a known issue added while a job runs marks
 * that job's failure, a run whose every failure is known passes {@code vmtest submit --known-ok}, and a verdict
 * given before the issue existed keeps what it had; a test's TAP subtests reach the API and the JUnit XML.
 */
class TriageIT {
    private static final Pattern SUBMITTED = Pattern.compile("submitted run (\\S+) \\((\\d+) jobs\\)");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;
    static DevCluster cluster;

    record Outcome(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- out\n" + out + "\n--- err\n" + err;
        }
    }

    @BeforeAll
    static void startCluster() throws Exception {
        Path profiles = Files.createDirectories(dir.resolve("profiles"));
        try (Stream<Path> shipped = Files.list(Path.of("..", "deploy", "profiles"))) {
            for (Path p : shipped.toList()) Files.copy(p, profiles.resolve(p.getFileName()));
        }
        // the pass guest without its reboot, and one test that reports three subtests in TAP 13
        String pass = Files.readString(profiles.resolve("pass.yaml"));
        Files.writeString(profiles.resolve("tap-suite.yaml"), pass.substring(0, pass.indexOf("tests:"))
                .replace("name: pass", "name: tap-suite").replace("reboot: true", "reboot: false") + """
                tests:
                  - name: suite
                    run: 'printf "TAP version 13\\n1..3\\nok 1 - mount\\nnot ok 2 - disk full\\n  ---\\n  message: no space left\\n  ...\\nok 3 - net # SKIP offline\\n"'
                    results: tap
                    timeout: 30s
                phaseTimeouts:
                  PROVISIONING: 5m
                  INSTALLATION: 5m
                  TESTING: 2m
                """);
        Path guest = Path.of(System.getProperty("vmtest.guest.dir", "../vmtest-out/guest")).toAbsolutePath().normalize();
        cluster = new DevCluster(0, dir.resolve("dev"), guest, profiles, 1);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) cluster.close();
    }

    @Test
    void aKnownIssueMarksRunningJobsAndLetsKnownOkPassWhilePastVerdictsKeepWhatTheyHad() throws Exception {
        // refused: what the analyzer could not run safely, named by field
        HttpResponse<String> catastrophic = put("bad", "{\"match\":{\"titleRegex\":\"(a+)+$\"}}");
        assertThat(catastrophic.statusCode()).as(catastrophic.body()).isEqualTo(400);
        assertThat(catastrophic.body()).contains("match.titleRegex").contains("refused");
        HttpResponse<String> broken = put("bad", "{\"match\":{\"titleRegex\":\"(unclosed\"}}");
        assertThat(broken.statusCode()).as(broken.body()).isEqualTo(400);
        assertThat(broken.body()).contains("does not compile");
        HttpResponse<String> both = put("bad", "{\"match\":{\"signature\":\"x\",\"titleRegex\":\"y\"}}");
        assertThat(both.statusCode()).as(both.body()).isEqualTo(400);
        assertThat(get("/known-issues/bad").statusCode()).isEqualTo(404);

        // a failure nobody knows yet
        Path before = dir.resolve("before.json");
        Outcome first = vmtest("submit", "--profile", "test-fail", "--known-ok", "--json", before.toString(),
                "--timeout", "PT6M");
        assertThat(first.exit()).as(first.toString()).isEqualTo(ExitCodes.FAILED);
        JsonNode firstRun = JSON.readTree(before.toFile());
        String firstRunId = firstRun.path("id").asText();
        JsonNode firstFailure = firstRun.path("jobs").get(0).path("failure");
        String signature = firstFailure.path("signature").asText();
        assertThat(signature).as(firstRun.toString()).isNotBlank();
        assertThat(firstFailure.has("knownIssue")).isFalse();
        assertThat(firstRun.path("allFailuresKnown").asBoolean()).isFalse();

        // the same failure again, made known while its job runs
        CompletableFuture<Outcome> second = CompletableFuture.supplyAsync(() -> vmtest("submit", "--profile",
                "test-fail", "--known-ok", "--json", dir.resolve("after.json").toString(), "--timeout", "PT6M"));
        String secondRunId = awaitRunningRun(firstRunId);
        HttpResponse<String> created = put("selftest-broken", """
                {"match":{"signature":"%s"},"profiles":["test-fail"],"url":"https://bugs.example.org/42",
                 "note":"the test guest's selftest fails on purpose"}""".formatted(signature));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        JsonNode listed = JSON.readTree(get("/known-issues").body());
        assertThat(listed.path("knownIssues").get(0).path("id").asText()).isEqualTo("selftest-broken");

        Outcome known = second.get();
        assertThat(known.exit()).as(known.toString()).isEqualTo(ExitCodes.OK);
        assertThat(known.out()).contains("every failure is a known issue")
                .contains("known issue selftest-broken https://bugs.example.org/42");
        JsonNode secondRun = JSON.readTree(get("/runs/" + secondRunId).body());
        assertThat(secondRun.path("verdict").asText()).isEqualTo("FAILED");
        assertThat(secondRun.path("allFailuresKnown").asBoolean()).isTrue();
        JsonNode ref = secondRun.path("jobs").get(0).path("failure").path("knownIssue");
        assertThat(ref.path("id").asText()).isEqualTo("selftest-broken");
        assertThat(ref.path("url").asText()).isEqualTo("https://bugs.example.org/42");

        // past verdicts keep what they had
        JsonNode firstAgain = JSON.readTree(get("/runs/" + firstRunId).body());
        assertThat(firstAgain.path("jobs").get(0).path("failure").has("knownIssue")).isFalse();
        assertThat(firstAgain.path("allFailuresKnown").asBoolean()).isFalse();

        // across runs: one group for the two failures, known by the newest; the profile's numbers
        JsonNode groups = JSON.readTree(get("/failures?days=30").body()).path("groups");
        JsonNode group = null;
        for (JsonNode g : groups) if (g.path("signature").asText().equals(signature)) group = g;
        assertThat(group).as(groups.toString()).isNotNull();
        assertThat(group.path("count").asInt()).isEqualTo(2);
        assertThat(group.path("knownIssue").path("id").asText()).isEqualTo("selftest-broken");
        assertThat(group.path("latest").get(0).path("runId").asText()).isEqualTo(secondRunId);
        assertThat(group.path("latest").get(0).path("link").asText()).startsWith("/run.html?id=" + secondRunId + "#job-");
        JsonNode stats = JSON.readTree(get("/profiles/test-fail/stats?days=30").body());
        assertThat(stats.path("jobs").asInt()).as(stats.toString()).isEqualTo(2);
        assertThat(stats.path("failed").asInt()).isEqualTo(2);
        assertThat(stats.path("passRate").asDouble()).isZero();
        assertThat(stats.path("phaseSeconds").path("INSTALLATION").path("samples").asInt()).isEqualTo(2);
        assertThat(stats.path("topFailures").get(0).path("count").asInt()).isEqualTo(2);

        HttpResponse<String> deleted = send(HttpRequest.newBuilder(api("/known-issues/selftest-broken")).DELETE());
        assertThat(deleted.statusCode()).isEqualTo(204);
        assertThat(get("/known-issues/selftest-broken").statusCode()).isEqualTo(404);
    }

    @Test
    void tapSubtestsReachTheApiAndTheJUnitXml() throws Exception {
        Path junit = dir.resolve("tap.xml");
        Path json = dir.resolve("tap.json");

        Outcome o = vmtest("submit", "--profile", "tap-suite", "--junit", junit.toString(), "--json", json.toString(),
                "--timeout", "PT6M");

        assertThat(o.exit()).as(o.toString()).isEqualTo(ExitCodes.FAILED);
        JsonNode test = JSON.readTree(json.toFile()).path("jobs").get(0).path("tests").get(0);
        assertThat(test.path("name").asText()).isEqualTo("suite");
        assertThat(test.path("passed").asBoolean()).as(test.toString()).isFalse();
        assertThat(test.path("reason").asText()).startsWith("subtest disk full failed: no space left");
        JsonNode subtests = test.path("subtests");
        assertThat(subtests).hasSize(3);
        assertThat(subtests.get(1).path("name").asText()).isEqualTo("disk full");
        assertThat(subtests.get(1).path("passed").asBoolean()).isFalse();
        assertThat(subtests.get(2).path("skipped").asBoolean()).isTrue();
        String xml = Files.readString(junit);
        assertThat(xml).contains("classname=\"tap-suite.tests.suite\" name=\"disk full\"")
                .contains("message=\"no space left\"").contains("<skipped message=\"offline\"");
    }

    /** The run the background submit made, once its job runs: the known issue must come while it does. */
    private static String awaitRunningRun(String other) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode run : JSON.readTree(get("/runs").body()).path("runs")) {
                if (!run.path("id").asText().equals(other) && run.path("verdict").isNull()
                        && run.path("jobs").get(0).path("startedAt").isTextual()) {
                    return run.path("id").asText();
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the second run never started");
    }

    static Outcome vmtest(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", cluster.url().toString(), "--token", cluster.token()));
        int exit = Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(all.toArray(String[]::new));
        Matcher m = SUBMITTED.matcher(out.toString());
        assertThat(m.find()).as("run id in %s", out).isTrue();
        return new Outcome(exit, out.toString(), err.toString());
    }

    private static URI api(String path) {
        return cluster.url().resolve("/api/v1" + path);
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(api(path)).GET());
    }

    private static HttpResponse<String> put(String id, String body) throws Exception {
        return send(HttpRequest.newBuilder(api("/known-issues/" + id)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.header("Authorization", "Bearer " + cluster.token()).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
