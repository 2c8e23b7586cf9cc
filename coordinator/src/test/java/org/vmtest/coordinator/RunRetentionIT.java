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
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.protocol.codec.Json;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.testing.KafkaClusterExtension;

/** Finished runs past runRetention leave vmtest.runs, so a coordinator's memory and start time stay flat. */
class RunRetentionIT {
    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static final String RETENTION = "runRetention: 30d\nrunRetentionCheckInterval: 1s";

    @TempDir
    Path dir;

    @Test
    void aFinishedRunOlderThanTheRetentionIsTombstonedAndNewerOrUnfinishedRunsStay() throws Exception {
        KafkaSettings kafka = KAFKA.settings();
        MovableClock clock = new MovableClock(Instant.now());
        String oldFinished;
        String oldUnfinished;
        String newFinished;
        try (Coordinator c = Coordinator.start(TestCoordinators.configFile(dir.resolve("a"), kafka,
                TestCoordinators.PROFILES, RETENTION), clock)) {
            oldFinished = submit(c);
            cancelAndAwaitEnd(c, oldFinished);
            oldUnfinished = submit(c);

            clock.advance(Duration.ofDays(31));
            newFinished = submit(c);
            cancelAndAwaitEnd(c, newFinished);

            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(listedRuns(c)).doesNotContain(oldFinished));
            assertThat(listedRuns(c)).contains(oldUnfinished, newFinished);
            assertThat(get(api(c, "/runs/" + oldFinished), READ_TOKEN).statusCode()).isEqualTo(404);
        }

        List<ConsumerRecord<String, byte[]>> runs = TestCoordinators.readAll(kafka, kafka.topics().runs());
        assertThat(runs).filteredOn(r -> r.key().equals(oldFinished)).last()
                .satisfies(last -> assertThat(last.value()).as("the last record of the old run").isNull());
        assertThat(runs).filteredOn(r -> r.value() == null).extracting(ConsumerRecord::key)
                .containsOnly(oldFinished);

        try (Coordinator fresh = Coordinator.start(TestCoordinators.configFile(dir.resolve("b"), kafka,
                TestCoordinators.PROFILES, RETENTION + "\narchiveGroupId: " + kafka.topics().prefix() + "-archive-b"),
                clock)) {
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(listedRuns(fresh)).contains(oldUnfinished, newFinished));
            assertThat(listedRuns(fresh)).doesNotContain(oldFinished);
        }
    }

    private static URI api(Coordinator c, String path) {
        return c.baseUri().resolve("/api/v1" + path);
    }

    private static String submit(Coordinator c) throws Exception {
        HttpResponse<String> created = post(api(c, "/runs"), SUBMIT_TOKEN, "{\"profiles\":[\"hang\"]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String runId = Json.mapper().readTree(created.body()).get("id").asText();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(listedRuns(c)).contains(runId));
        return runId;
    }

    private static void cancelAndAwaitEnd(Coordinator c, String runId) {
        HttpResponse<String> r = TestCoordinators.delete(api(c, "/runs/" + runId), SUBMIT_TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode run = Json.mapper().readTree(get(api(c, "/runs/" + runId), READ_TOKEN).body());
            assertThat(run.get("state").asText()).isEqualTo("CANCELLED");
            assertThat(run.get("verdict").asText()).isEqualTo("ABORTED");
        });
    }

    private static List<String> listedRuns(Coordinator c) throws Exception {
        HttpResponse<String> r = get(api(c, "/runs?limit=500"), READ_TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        Json.mapper().readTree(r.body()).get("runs").forEach(run -> ids.add(run.get("id").asText()));
        return ids;
    }
}
