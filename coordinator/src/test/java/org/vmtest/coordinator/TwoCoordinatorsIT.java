package org.vmtest.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.vmtest.coordinator.TestCoordinators.READ_TOKEN;
import static org.vmtest.coordinator.TestCoordinators.SUBMIT_TOKEN;
import static org.vmtest.coordinator.TestCoordinators.get;
import static org.vmtest.coordinator.TestCoordinators.post;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.coordinator.api.Run;
import org.vmtest.coordinator.api.RunStatus;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.codec.Decoded;
import org.vmtest.protocol.codec.Json;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.kafka.TopicAdmin;
import org.vmtest.protocol.stream.Line;

import org.vmtest.protocol.stream.StreamEvent;
import org.vmtest.protocol.verdicts.RunVerdict;
import org.vmtest.protocol.verdicts.VerdictEvent;
import org.vmtest.testing.KafkaClusterExtension;

/** Coordinators keep no state of their own: two agree, and a new one shows what an old one showed. */
class TwoCoordinatorsIT {
    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    @TempDir
    Path dir;

    private static URI api(Coordinator c, String path) {
        return c.baseUri().resolve("/api/v1" + path);
    }

    private static JsonNode run(Coordinator c, String runId) throws Exception {
        HttpResponse<String> r = get(api(c, "/runs/" + runId), READ_TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.mapper().readTree(r.body());
    }

    @Test
    void twoCoordinatorsAgreeTheRunVerdictGoesOutOnceAndANewCoordinatorShowsTheSameRuns() throws Exception {
        KafkaSettings kafka = KAFKA.settings();
        Path configA = TestCoordinators.configFile(dir.resolve("a"), kafka, TestCoordinators.PROFILES, "");
        Path configB = TestCoordinators.configFile(dir.resolve("b"), kafka, TestCoordinators.PROFILES,
                "archiveGroupId: " + kafka.topics().prefix() + "-archive-b");
        String runId;
        String passJob;
        String failJob;
        try (Coordinator a = Coordinator.start(configA); Coordinator b = Coordinator.start(configB);
             KafkaProducer<String, byte[]> producer = TestCoordinators.producer(kafka)) {
            HttpResponse<String> created = post(api(a, "/runs"), SUBMIT_TOKEN,
                    "{\"profiles\":[\"pass\",\"test-fail\"],\"labels\":{\"commit\":\"c0ffee\"}}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonNode submitted = Json.mapper().readTree(created.body());
            runId = submitted.get("id").asText();
            passJob = submitted.get("jobs").get(0).get("id").asText();
            failJob = submitted.get("jobs").get(1).get("id").asText();

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(run(b, runId).get("state").asText())
                    .isEqualTo("QUEUED"));

            TestCoordinators.playJob(producer, kafka, runId, passJob, "pass", Verdict.PASSED);
            TestCoordinators.playJob(producer, kafka, runId, failJob, "test-fail", Verdict.FAILED);

            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                JsonNode fromA = run(a, runId);
                JsonNode fromB = run(b, runId);
                assertThat(fromA.get("verdict").asText()).isEqualTo("FAILED");
                assertThat(fromB).isEqualTo(fromA);
            });
        }

        JsonSerde<VerdictEvent> verdicts = JsonSerde.of(VerdictEvent.class);
        List<RunVerdict> runVerdicts = TestCoordinators.readAll(kafka, kafka.topics().verdicts()).stream()
                .map(rec -> verdicts.decode(rec.value()))
                .filter(d -> d instanceof Decoded.Ok<VerdictEvent> ok && ok.value() instanceof RunVerdict rv
                        && rv.runId().equals(runId))
                .map(d -> (RunVerdict) ((Decoded.Ok<VerdictEvent>) d).value())
                .toList();
        assertThat(runVerdicts).hasSize(1);
        assertThat(runVerdicts.get(0).verdict()).isEqualTo(Verdict.FAILED);

        Path configC = TestCoordinators.configFile(dir.resolve("c"), kafka, TestCoordinators.PROFILES, "");
        try (Coordinator c = Coordinator.start(configC)) {
            // No waiting: a coordinator that just started answers for runs it has not read yet by reading them
            // first, never with "no such run".
            JsonNode again = run(c, runId);
            assertThat(again.get("state").asText()).isEqualTo("DONE");
            assertThat(again.get("verdict").asText()).isEqualTo("FAILED");
            assertThat(again.get("labels").get("commit").asText()).isEqualTo("c0ffee");
            assertThat(again.get("jobs")).extracting(j -> j.get("verdict").asText()).containsExactly("PASSED", "FAILED");
            HttpResponse<String> health = get(URI.create("http://127.0.0.1:" + c.adminPort() + "/healthcheck"), null);
            assertThat(Json.mapper().readTree(health.body()).get("run-state-loaded").get("healthy").asBoolean())
                    .as(health.body()).isTrue();
        }
    }

    @Test
    void aCoordinatorJustStartedReadsTheRunsThatExistBeforeItAnswers() throws Exception {
        // Enough runs, behind enough console lines, that reading them takes a while: before, a request in that
        // while got "no such run", and the fault suite's coordinator restart saw exactly that.
        KafkaSettings kafka = KAFKA.settings().withTopicPrefix(KAFKA.topicPrefix() + "-many");
        TopicAdmin.ensureTopics(kafka);
        int runs = 60_000;
        JsonSerde<Run> serde = JsonSerde.of(Run.class);
        Instant created = Instant.parse("2026-01-01T00:00:00Z");
        try (KafkaProducer<String, byte[]> producer = TestCoordinators.producer(kafka)) {
            for (int i = 0; i < runs; i++) {
                Run run = new Run("r-filler-" + i, RunStatus.DONE, Verdict.PASSED, Map.of("n", "" + i),
                        created.plusSeconds(i), created.plusSeconds(i), created.plusSeconds(i), List.of(), Map.of(), Map.of(),
                        List.of());
                producer.send(new ProducerRecord<>(kafka.topics().runs(), run.id(), serde.encode(run)));
            }
            JsonSerde<StreamEvent> lines = JsonSerde.of(StreamEvent.class);
            for (int i = 0; i < 4 * runs; i++) {
                String jobId = "r-filler-" + (i % runs) + "-1-pass";
                Line line = new Line(jobId, 1, i + 1, LineSource.CONSOLE, Phase.INSTALLATION, created,
                        "[    2.%06d] a console line of an earlier job, read again by every coordinator".formatted(i),
                        false);
                producer.send(new ProducerRecord<>(kafka.topics().stream(), jobId, lines.encode(line)));
            }
        }
        String last = "r-filler-" + (runs - 1);
        // Requests may wait as long as reading takes: this is about the answer, not the speed.
        Path config = TestCoordinators.configFile(dir.resolve("many"), kafka, TestCoordinators.PROFILES,
                "kafkaTimeout: 60s");
        try (Coordinator c = Coordinator.start(config)) {
            assertThat(run(c, last).get("labels").get("n").asText()).isEqualTo("" + (runs - 1));
            HttpResponse<String> list = get(api(c, "/runs?limit=1"), READ_TOKEN);
            assertThat(Json.mapper().readTree(list.body()).get("total").asInt()).as(list.body()).isEqualTo(runs);
        }
    }

    @Test
    void aSubmissionKafkaDoesNotTakeIsAnswered503WithAJsonError() throws Exception {
        KafkaSettings nowhere = KafkaSettings.of("127.0.0.1:1").withTopicPrefix(KAFKA.topicPrefix() + "x");
        Path config = TestCoordinators.configFile(dir.resolve("down"), nowhere, TestCoordinators.PROFILES,
                "kafkaTimeout: 2s");
        String yaml = java.nio.file.Files.readString(config).replace("createTopics: true", "createTopics: false");
        java.nio.file.Files.writeString(config, yaml);
        try (Coordinator c = Coordinator.start(config)) {
            HttpResponse<String> r = post(api(c, "/runs"), SUBMIT_TOKEN, "{\"profiles\":[\"pass\"]}");

            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            JsonNode error = Json.mapper().readTree(r.body());
            assertThat(error.get("code").asInt()).isEqualTo(503);
            assertThat(error.get("message").asText()).containsIgnoringCase("kafka");
            // Without Kafka it cannot know which runs exist: it says so rather than showing an empty list.
            HttpResponse<String> list = get(api(c, "/runs"), READ_TOKEN);
            assertThat(list.statusCode()).as(list.body()).isEqualTo(503);
            assertThat(list.headers().firstValue("Retry-After")).isPresent();
            assertThat(Json.mapper().readTree(list.body()).get("message").asText()).contains("still reading the run state");
            HttpResponse<String> health = get(URI.create("http://127.0.0.1:" + c.adminPort() + "/healthcheck"), null);
            assertThat(health.statusCode()).isEqualTo(500);
            assertThat(health.body()).contains("\"kafka\"").contains("\"run-state-loaded\"");
        }
    }
}
