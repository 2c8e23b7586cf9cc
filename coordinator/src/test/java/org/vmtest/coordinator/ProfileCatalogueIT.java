package org.vmtest.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.vmtest.coordinator.TestCoordinators.READ_TOKEN;
import static org.vmtest.coordinator.TestCoordinators.SUBMIT_TOKEN;
import static org.vmtest.coordinator.TestCoordinators.get;
import static org.vmtest.coordinator.TestCoordinators.post;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.protocol.codec.Json;
import org.vmtest.testing.KafkaClusterExtension;

/** The profile directory as an operator edits it while the coordinator runs. */
class ProfileCatalogueIT {
    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    @TempDir
    Path dir;

    private static String profile(String name, String memory) throws Exception {
        return Files.readString(TestCoordinators.PROFILES.resolve("pass.yaml"))
                .replaceFirst("(?m)^name: .*$", "name: " + name)
                .replaceFirst("(?m)^  memoryMiB: .*$", "  memoryMiB: " + memory);
    }

    private static int lineOf(String yaml, String text) {
        String[] lines = yaml.split("\n", -1);
        for (int i = 0; i < lines.length; i++) if (lines[i].contains(text)) return i + 1;
        throw new AssertionError(text + " not in the profile");
    }

    @Test
    void aBrokenProfileIsReportedWithItsLineTheOthersStayUsableAndEditsAreTakenUp() throws Exception {
        Path profiles = Files.createDirectories(dir.resolve("profiles"));
        Files.writeString(profiles.resolve("good.yaml"), profile("good", "256"));
        String broken = profile("broken", "lots");
        Files.writeString(profiles.resolve("broken.yaml"), broken);
        Path config = TestCoordinators.configFile(dir, KAFKA.settings(), profiles, "");

        try (Coordinator c = Coordinator.start(config)) {
            URI api = c.baseUri().resolve("/api/v1/");
            JsonNode list = Json.mapper().readTree(get(api.resolve("profiles"), READ_TOKEN).body());
            assertThat(list.get("profiles")).extracting(p -> p.get("name").asText()).containsExactly("good");
            assertThat(list.get("errors")).singleElement().satisfies(e -> {
                assertThat(e.get("file").asText()).endsWith("broken.yaml");
                assertThat(e.get("line").asInt()).isEqualTo(lineOf(broken, "memoryMiB: lots"));
                assertThat(e.get("message").asText()).contains("memoryMiB");
            });
            HttpResponse<String> refused = post(api.resolve("runs"), SUBMIT_TOKEN, "{\"profiles\":[\"broken\"]}");
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
            assertThat(refused.body()).contains("unknown profile 'broken'");

            // a new file is picked up without any action
            Files.writeString(profiles.resolve("extra.yml"), profile("extra", "512"));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(get(api.resolve("profiles/extra"), READ_TOKEN).statusCode()).isEqualTo(200));
            assertThat(Json.mapper().readTree(get(api.resolve("profiles/extra"), READ_TOKEN).body())
                    .get("vm").get("memoryMiB").asInt()).isEqualTo(512);

            // the fix, loaded at once through the admin task
            Files.writeString(profiles.resolve("broken.yaml"), profile("broken", "384"));
            HttpResponse<String> task = TestCoordinators.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + c.adminPort() + "/tasks/reload-profiles"))
                    .POST(HttpRequest.BodyPublishers.noBody()), null);
            assertThat(task.statusCode()).isEqualTo(200);
            assertThat(task.body()).contains("3 profile(s) loaded from").doesNotContain("error:");
            JsonNode fixed = Json.mapper().readTree(get(api.resolve("profiles"), READ_TOKEN).body());
            assertThat(fixed.get("errors")).isEmpty();
            HttpResponse<String> accepted = post(api.resolve("runs"), SUBMIT_TOKEN, "{\"profiles\":[\"broken\"]}");
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(201);
        }
    }
    @Test
    void aProfileWhoseImageLeavesTheImageDirectoryIsListedAsBrokenNamingTheFieldAndCannotBeSubmitted() throws Exception {
        Path profiles = Files.createDirectories(dir.resolve("profiles"));
        String escape = profile("escape", "256").replaceFirst("(?m)^  disk: .*$", "  disk: ../../x");
        Files.writeString(profiles.resolve("escape.yaml"), escape);
        Path config = TestCoordinators.configFile(dir, KAFKA.settings(), profiles, "");

        try (Coordinator c = Coordinator.start(config)) {
            URI api = c.baseUri().resolve("/api/v1/");
            JsonNode list = Json.mapper().readTree(get(api.resolve("profiles"), READ_TOKEN).body());
            assertThat(list.get("profiles")).isEmpty();
            assertThat(list.get("errors")).singleElement().satisfies(e -> {
                assertThat(e.get("file").asText()).endsWith("escape.yaml");
                assertThat(e.get("line").asInt()).isEqualTo(lineOf(escape, "disk: ../../x"));
                assertThat(e.get("message").asText())
                        .endsWith("vm.disk: must be a path inside the image directory, not ../../x");
            });
            HttpResponse<String> refused = post(api.resolve("runs"), SUBMIT_TOKEN, "{\"profiles\":[\"escape\"]}");
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
            assertThat(refused.body()).contains("unknown profile 'escape'");
        }
    }
}
