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
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.codec.Decoded;
import org.vmtest.protocol.codec.Json;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.kafka.KafkaSettings;
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
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                JsonNode again = run(c, runId);
                assertThat(again.get("state").asText()).isEqualTo("DONE");
                assertThat(again.get("verdict").asText()).isEqualTo("FAILED");
                assertThat(again.get("labels").get("commit").asText()).isEqualTo("c0ffee");
                assertThat(again.get("jobs")).extracting(j -> j.get("verdict").asText()).containsExactly("PASSED", "FAILED");
            });
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
            assertThat(Json.mapper().readTree(get(api(c, "/runs"), READ_TOKEN).body()).get("total").asInt())
                    .as("nothing was half-published, nothing is shown").isZero();
            HttpResponse<String> health = get(URI.create("http://127.0.0.1:" + c.adminPort() + "/healthcheck"), null);
            assertThat(health.statusCode()).isEqualTo(500);
            assertThat(health.body()).contains("\"kafka\"");
        }
    }
}
