package org.vmtest.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.vmtest.coordinator.TestCoordinators.READ_TOKEN;
import static org.vmtest.coordinator.TestCoordinators.SUBMIT_TOKEN;
import static org.vmtest.coordinator.TestCoordinators.get;
import static org.vmtest.coordinator.TestCoordinators.post;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vmtest.coordinator.api.Job;
import org.vmtest.coordinator.api.Run;
import org.vmtest.coordinator.api.RunStatus;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.codec.Decoded;
import org.vmtest.protocol.codec.Json;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.jobs.JobMessage;
import org.vmtest.protocol.jobs.JobRequested;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.verdicts.RunVerdict;
import org.vmtest.protocol.verdicts.VerdictEvent;
import org.vmtest.protocol.workers.WorkerStatus;
import org.vmtest.testing.KafkaClusterExtension;

class CoordinatorIT {
    private static final ObjectMapper JSON = Json.mapper();

    @RegisterExtension
    @Order(1)
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    @RegisterExtension
    @Order(2)
    static final DropwizardAppExtension<CoordinatorConfiguration> APP = new DropwizardAppExtension<>(
            CoordinatorApplication.class, ResourceHelpers.resourceFilePath("coordinator-test.yml"),
            ConfigOverride.config("kafka.bootstrapServers", KAFKA::bootstrapServers),
            ConfigOverride.config("kafka.topicPrefix", KAFKA::topicPrefix),
            ConfigOverride.config("archiveDir", () -> Path.of("target/archive-" + KAFKA.topicPrefix()).toAbsolutePath().toString()));

    private static KafkaProducer<String, byte[]> producer;

    @AfterAll
    static void closeProducer() {
        if (producer != null) producer.close();
    }

    private static KafkaSettings kafka() {
        return KAFKA.settings();
    }

    private static KafkaProducer<String, byte[]> producer() {
        if (producer == null) producer = TestCoordinators.producer(kafka());
        return producer;
    }

    private static URI api(String path) {
        return URI.create("http://127.0.0.1:" + APP.getLocalPort() + "/api/v1" + path);
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    private static JsonNode submit(String body) throws Exception {
        HttpResponse<String> r = post(api("/runs"), SUBMIT_TOKEN, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return json(r);
    }

    @Test
    void submitPublishesEveryJobInOneTransactionAndAnswersWithTheQueuedRun() throws Exception {
        HttpResponse<String> r = post(api("/runs"), SUBMIT_TOKEN,
                "{\"profiles\":[\"pass\",\"panic\",\"pass\"],\"labels\":{\"commit\":\"abc\"},\"overrides\":{\"attemptLimit\":1}}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode run = json(r);
        String runId = run.get("id").asText();
        assertThat(r.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/api/v1/runs/" + runId));
        assertThat(run.get("state").asText()).isEqualTo("QUEUED");
        assertThat(run.get("verdict").isNull()).isTrue();
        assertThat(run.get("labels").get("commit").asText()).isEqualTo("abc");
        assertThat(run.get("jobs")).hasSize(3);
        assertThat(run.get("jobs").get(1).get("profile").asText()).isEqualTo("panic");

        HttpResponse<String> again = get(api("/runs/" + runId), READ_TOKEN);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(json(again).get("id").asText()).isEqualTo(runId);

        JsonSerde<JobMessage> jobs = JsonSerde.of(JobMessage.class);
        List<JobRequested> requested = TestCoordinators.readAll(kafka(), kafka().topics().jobs()).stream()
                .map(rec -> jobs.decode(rec.value()))
                .filter(d -> d instanceof Decoded.Ok<JobMessage>)
                .map(d -> (JobRequested) ((Decoded.Ok<JobMessage>) d).value())
                .filter(j -> j.runId().equals(runId))
                .toList();
        assertThat(requested).hasSize(3);
        assertThat(requested).allSatisfy(j -> assertThat(j.profile().attemptLimit()).isEqualTo(1));
        assertThat(requested).extracting(j -> j.profile().name()).containsExactlyInAnyOrder("pass", "panic", "pass");

        // the run's state is on vmtest.runs from the same transaction: what any coordinator reads at its start
        List<ConsumerRecord<String, byte[]>> states = TestCoordinators.readAll(kafka(), kafka().topics().runs()).stream()
                .filter(rec -> runId.equals(rec.key())).toList();
        assertThat(states).isNotEmpty();
        Run first = ((Decoded.Ok<Run>) JsonSerde.of(Run.class).decode(states.get(0).value())).value();
        assertThat(first.state()).isEqualTo(RunStatus.QUEUED);
        assertThat(first.labels()).containsEntry("commit", "abc");
        assertThat(first.jobs()).extracting(Job::id)
                .containsExactly(run.get("jobs").get(0).get("id").asText(), run.get("jobs").get(1).get("id").asText(),
                        run.get("jobs").get(2).get("id").asText());
    }

    @Test
    void runStateFollowsLifecycleAndVerdictRecordsAndEmitsTheRunVerdictOnce() throws Exception {
        JsonNode run = submit("{\"profiles\":[\"pass\",\"panic\"],\"labels\":{\"ci\":\"https://ci/42\"}}");
        String runId = run.get("id").asText();
        String passJob = run.get("jobs").get(0).get("id").asText();
        String panicJob = run.get("jobs").get(1).get("id").asText();

        TestCoordinators.playJob(producer(), kafka(), runId, passJob, "pass", Verdict.PASSED);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode now = json(get(api("/runs/" + runId), READ_TOKEN));
            assertThat(now.get("state").asText()).isEqualTo("RUNNING");
            JsonNode job = now.get("jobs").get(0);
            assertThat(job.get("verdict").asText()).isEqualTo("PASSED");
            assertThat(job.get("worker").asText()).isEqualTo("worker-a");
            assertThat(job.get("phase").asText()).isEqualTo("TESTING");
            assertThat(job.get("phases")).extracting(p -> p.get("name").asText())
                    .containsExactly("PROVISIONING", "INSTALLATION", "TESTING");
            assertThat(job.get("phases").get(0).path("artifactFetchMillis").asLong()).isEqualTo(1200);
            // path(): the job's verdict and its lifecycle come from two topics, and either may be folded first
            assertThat(job.path("tests").path(0).path("name").asText()).isEqualTo("selftest");
            assertThat(now.get("verdict").isNull()).isTrue();
        });

        TestCoordinators.playJob(producer(), kafka(), runId, panicJob, "panic", Verdict.ABORTED);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode now = json(get(api("/runs/" + runId), READ_TOKEN));
            assertThat(now.get("state").asText()).isEqualTo("DONE");
            assertThat(now.get("verdict").asText()).isEqualTo("ABORTED");
            JsonNode job = now.get("jobs").get(1);
            assertThat(job.path("failure").path("title").asText()).isEqualTo("Kernel panic - not syncing");
            assertThat(job.get("reason").asText()).isEqualTo("kernel panic during installation");
        });

        JsonSerde<VerdictEvent> verdicts = JsonSerde.of(VerdictEvent.class);
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<RunVerdict> runVerdicts = TestCoordinators.readAll(kafka(), kafka().topics().verdicts()).stream()
                    .map(rec -> verdicts.decode(rec.value()))
                    .filter(d -> d instanceof Decoded.Ok<VerdictEvent> ok && ok.value() instanceof RunVerdict rv
                            && rv.runId().equals(runId))
                    .map(d -> (RunVerdict) ((Decoded.Ok<VerdictEvent>) d).value())
                    .toList();
            assertThat(runVerdicts).hasSize(1);
            assertThat(runVerdicts.get(0).verdict()).isEqualTo(Verdict.ABORTED);
            assertThat(runVerdicts.get(0).jobs()).containsEntry(passJob, Verdict.PASSED).containsEntry(panicJob, Verdict.ABORTED);
            assertThat(runVerdicts.get(0).labels()).containsEntry("ci", "https://ci/42");
        });

        HttpResponse<String> cancelDone = TestCoordinators.delete(api("/runs/" + runId), SUBMIT_TOKEN);
        assertThat(cancelDone.statusCode()).isEqualTo(409);
    }

    @Test
    void listFiltersByStateAndLabel() throws Exception {
        String runId = submit("{\"profiles\":[\"pass\"],\"labels\":{\"commit\":\"filter-me\"}}").get("id").asText();

        JsonNode page = json(get(api("/runs?label=commit:filter-me&state=queued&limit=5"), READ_TOKEN));
        assertThat(page.get("runs")).extracting(r -> r.get("id").asText()).containsExactly(runId);
        assertThat(page.get("total").asInt()).isEqualTo(1);
        JsonNode none = json(get(api("/runs?label=commit:filter-me&state=DONE"), READ_TOKEN));
        assertThat(none.get("runs")).isEmpty();
    }

    @Test
    void cancellingAQueuedRunSendsCancelJobAndEndsItsJobsAborted() throws Exception {
        String runId = submit("{\"profiles\":[\"hang\"]}").get("id").asText();

        HttpResponse<String> r = TestCoordinators.delete(api("/runs/" + runId), SUBMIT_TOKEN);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode now = json(get(api("/runs/" + runId), READ_TOKEN));
            assertThat(now.get("state").asText()).isEqualTo("CANCELLED");
            assertThat(now.get("verdict").asText()).isEqualTo("ABORTED");
        });
        List<ConsumerRecord<String, byte[]>> control = TestCoordinators.readAll(kafka(), kafka().topics().control());
        assertThat(control).anySatisfy(rec -> assertThat(new String(rec.value(), StandardCharsets.UTF_8))
                .contains("\"type\":\"CancelJob\"").contains(runId));
    }

    @Test
    void eventsResumeAfterTheLastEventId() throws Exception {
        JsonNode run = submit("{\"profiles\":[\"panic\"]}");
        String runId = run.get("id").asText();
        String jobId = run.get("jobs").get(0).get("id").asText();
        TestCoordinators.playJob(producer(), kafka(), runId, jobId, "panic", Verdict.ABORTED);

        List<String[]> first = readEvents(runId, null, "run-verdict");
        assertThat(first).extracting(e -> e[1]).contains("job-started", "phase", "line", "finding", "thought",
                "job-verdict", "run-verdict");
        int cut = first.size() / 2;
        String lastSeen = first.get(cut)[0];

        List<String[]> resumed = readEvents(runId, lastSeen, "run-verdict");

        assertThat(resumed.get(0)[0]).isEqualTo(first.get(cut + 1)[0]);
        assertThat(resumed).extracting(e -> e[0]).doesNotContain(lastSeen);
    }

    /** Reads (id, name) of events until one named {@code until} arrives. */
    private static List<String[]> readEvents(String runId, String lastEventId, String until) throws Exception {
        HttpResponse<String> ticket = TestCoordinators.send(HttpRequest.newBuilder(api("/runs/" + runId + "/events/ticket"))
                .POST(HttpRequest.BodyPublishers.noBody()), READ_TOKEN);
        assertThat(ticket.statusCode()).as(ticket.body()).isEqualTo(200);
        HttpRequest.Builder b = HttpRequest.newBuilder(api("/runs/" + runId + "/events?ticket=" + json(ticket).get("ticket").asText()))
                .header("Accept", "text/event-stream").timeout(Duration.ofSeconds(60));
        if (lastEventId != null) b.header("Last-Event-ID", lastEventId);
        HttpResponse<InputStream> r = TestCoordinators.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        List<String[]> events = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String id = null;
            String name = null;
            Instant deadline = Instant.now().plusSeconds(60);
            for (String line; (line = in.readLine()) != null && Instant.now().isBefore(deadline); ) {
                if (line.startsWith("id:")) id = line.substring(3).trim();
                if (line.startsWith("event:")) name = line.substring(6).trim();
                if (line.isEmpty() && id != null) {
                    events.add(new String[] {id, name});
                    if (until.equals(name)) break;
                    id = null;
                    name = null;
                }
            }
        }
        return events;
    }

    @Test
    void requestsWithoutAValidTokenAreRefused() {
        HttpResponse<String> none = get(api("/runs"), null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(none.body()).contains("\"code\":401");

        assertThat(get(api("/runs"), "not-a-token").statusCode()).isEqualTo(401);
        assertThat(get(api("/runs?access_token=" + READ_TOKEN), null).statusCode())
                .as("a token is never taken from a URL").isEqualTo(401);
        HttpResponse<String> readOnly = post(api("/runs"), READ_TOKEN, "{\"profiles\":[\"pass\"]}");
        assertThat(readOnly.statusCode()).isEqualTo(403);
        assertThat(readOnly.body()).contains("\"code\":403");
        assertThat(get(api("/runs"), READ_TOKEN).statusCode()).isEqualTo(200);
        assertThat(get(api("/runs"), SUBMIT_TOKEN).statusCode()).as("submit implies read").isEqualTo(200);
    }

    @Test
    void badSubmissionsAreRefusedWithTheFieldNamed() throws Exception {
        assertError(post(api("/runs"), SUBMIT_TOKEN, "{\"profiles\":[\"pass\""), 400, null);
        assertError(post(api("/runs"), SUBMIT_TOKEN, "{\"profiles\":[\"pass\",\"no-such\"]}"), 400, "profiles[1]");
        assertError(post(api("/runs"), SUBMIT_TOKEN, "{\"profiles\":\"pass\"}"), 400, "profiles");
        assertError(post(api("/runs"), SUBMIT_TOKEN, "{\"profiles\":[]}"), 400, "profiles");
        assertError(post(api("/runs"), SUBMIT_TOKEN, "{\"profiles\":[\"pass\",\" \"]}"), 400, "profiles[1]");
        assertError(post(api("/runs"), SUBMIT_TOKEN, "{\"profiles\":[\"pass\"],\"colour\":\"red\"}"), 400, "colour");
        assertError(post(api("/runs"), SUBMIT_TOKEN, "{\"profiles\":[\"pass\"],\"labels\":[1]}"), 400, "labels");
        assertError(post(api("/runs"), SUBMIT_TOKEN, "{\"profiles\":[\"pass\"],\"overrides\":{\"attemptLimit\":\"x\"}}"),
                400, "overrides.attemptLimit");
        assertError(post(api("/runs"), SUBMIT_TOKEN, "{\"profiles\":[\"pass\"],\"overrides\":{\"attemptLimit\":99}}"),
                400, "overrides.attemptLimit");
        assertError(post(api("/runs"), SUBMIT_TOKEN, ""), 400, "body");
        assertError(post(api("/runs"), SUBMIT_TOKEN, "{\"profiles\":[\"" + "x".repeat(2 * 1024 * 1024) + "\"]}"), 413, "body");
        assertError(get(api("/runs?state=BOGUS"), READ_TOKEN), 400, "state");
        assertError(get(api("/runs?limit=abc"), READ_TOKEN), 400, "limit");
        assertError(get(api("/runs?label=nocolon"), READ_TOKEN), 400, "label");
        assertError(get(api("/runs/r-nope"), READ_TOKEN), 404, null);
        assertError(get(api("/nothing-here"), READ_TOKEN), 404, null);
    }

    @Test
    void logRequestsCannotLeaveTheArchive() throws Exception {
        assertThat(get(api("/jobs/..%2F..%2Fetc/logs/console"), READ_TOKEN).statusCode()).isBetween(400, 404);
        assertThat(get(api("/jobs/../../etc/logs/console"), READ_TOKEN).statusCode()).isBetween(400, 404);
        assertError(get(api("/jobs/..passwd/logs/console"), READ_TOKEN), 400, "id");
        assertError(get(api("/jobs/some-job/logs/passwd"), READ_TOKEN), 404, null);
        assertError(get(api("/jobs/unknown-job/logs/console"), READ_TOKEN), 404, null);
        assertThat(get(api("/jobs/x/logs/..%2F..%2F..%2Fetc%2Fpasswd"), READ_TOKEN).body()).doesNotContain("root:");
    }

    @Test
    void jobLogsAreArchivedAsLinesArriveAndServedWithTailAndRanges() throws Exception {
        JsonNode run = submit("{\"profiles\":[\"panic\"]}");
        String runId = run.get("id").asText();
        String jobId = run.get("jobs").get(0).get("id").asText();
        TestCoordinators.playJob(producer(), kafka(), runId, jobId, "panic", Verdict.ABORTED);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                get(api("/jobs/" + jobId + "/logs/console"), READ_TOKEN).body()).contains("Kernel panic"));
        String console = get(api("/jobs/" + jobId + "/logs/console"), READ_TOKEN).body();
        assertThat(console).isEqualTo("Linux version 6.1.0 booting\nKernel panic - not syncing: VFS: Unable to mount root fs\n");
        assertThat(get(api("/jobs/" + jobId + "/logs/install"), READ_TOKEN).body()).isEqualTo("installing onto /dev/vda\n");
        assertThat(get(api("/jobs/" + jobId + "/logs/console?tail=1"), READ_TOKEN).body())
                .isEqualTo("Kernel panic - not syncing: VFS: Unable to mount root fs\n");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                get(api("/jobs/" + jobId + "/logs/thoughts"), READ_TOKEN).body()).contains("FINDING", "THOUGHT"));
        assertThat(get(api("/jobs/" + jobId + "/logs/stream"), READ_TOKEN).body().lines())
                .allSatisfy(l -> assertThat(JSON.readTree(l).has("type")).isTrue());

        HttpResponse<String> range = TestCoordinators.send(HttpRequest.newBuilder(api("/jobs/" + jobId + "/logs/console"))
                .header("Range", "bytes=0-4").GET(), READ_TOKEN);
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo("Linux");
        assertThat(range.headers().firstValue("Content-Range")).hasValue("bytes 0-4/" + console.length());
        assertError(TestCoordinators.send(HttpRequest.newBuilder(api("/jobs/" + jobId + "/logs/console"))
                .header("Range", "bytes=99999-").GET(), READ_TOKEN), 416, "Range");
    }

    @Test
    void profilesAreListedAndServed() throws Exception {
        JsonNode list = json(get(api("/profiles"), READ_TOKEN));
        assertThat(list.get("profiles")).extracting(p -> p.get("name").asText())
                .contains("pass", "panic", "test-fail", "hang", "flood", "garbage");
        JsonNode pass = json(get(api("/profiles/pass"), READ_TOKEN));
        assertThat(pass.get("vm").get("kernel").asText()).isEqualTo("vmlinuz");
        assertError(get(api("/profiles/nope"), READ_TOKEN), 404, null);
    }

    @Test
    void workersComeFromHeartbeatsAndGoStaleWhenSilent() throws Exception {
        JsonSerde<WorkerStatus> serde = JsonSerde.of(WorkerStatus.class);
        TestCoordinators.send(producer(), kafka().topics().workers(), "w-fresh", serde.encode(new WorkerStatus("w-fresh",
                Instant.now(), WorkerStatus.State.RUNNING, 2, List.of(), "tcg", "9.0.0", "7.2", "host1")));
        TestCoordinators.send(producer(), kafka().topics().workers(), "w-old", serde.encode(new WorkerStatus("w-old",
                Instant.now().minus(Duration.ofMinutes(5)), WorkerStatus.State.RUNNING, 2, List.of(), "tcg", "9.0.0", "7.2", "host2")));
        producer().flush();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode workers = json(get(api("/workers"), READ_TOKEN));
            Map<String, Boolean> stale = new java.util.HashMap<>();
            workers.forEach(w -> stale.put(w.get("status").get("workerId").asText(), w.get("stale").asBoolean()));
            assertThat(stale).containsEntry("w-fresh", false).containsEntry("w-old", true);
        });
    }

    @Test
    void healthMetricsAndOpenApiAreServed() throws Exception {
        HttpResponse<String> health = get(URI.create("http://127.0.0.1:" + APP.getAdminPort() + "/healthcheck"), null);
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        assertThat(json(health).get("kafka").get("healthy").asBoolean()).isTrue();

        HttpResponse<String> metrics = get(api("/metrics"), null);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("vmtest_runs{state=\"QUEUED\"}", "vmtest_queue_depth", "vmtest_jobs{state=\"running\"}",
                "vmtest_run_verdict_latency");

        HttpResponse<String> openApi = get(api("/openapi.yaml"), null);
        assertThat(openApi.statusCode()).isEqualTo(200);
        assertThat(openApi.body()).startsWith("openapi: 3").contains("/runs/{id}/events");
    }

    private static void assertError(HttpResponse<String> r, int status, String field) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode body = json(r);
        assertThat(body.get("code").asInt()).as(r.body()).isEqualTo(status);
        assertThat(body.get("message").asText()).isNotBlank();
        if (field != null) assertThat(body.get("field").asText()).as(r.body()).isEqualTo(field);
    }

}
