package org.vmtest.systemtests.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vmtest.systemtests.SystemTestSetup;
import org.vmtest.testing.ArtifactServer;
import org.vmtest.testing.cluster.ClusterApi;
import org.vmtest.testing.cluster.ProcessCluster;

/**
 * What a CI pipeline does with an image it has just built, on a whole cluster (coordinator, analyzer, worker,
 * Kafka, each its own process): it serves the test guest's kernel, initrd and disk over HTTP and submits a run whose
 * profile definition boots all three as artifacts and takes its test command and expected output from the run's
 * variables. Beside it, in the same run, two definitions whose kernel cannot be had (a wrong sha256, a 404): those
 * jobs end ERROR naming the artifact without a VM. One cluster, one VM boot.
 */
class RunArtifactsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration RUN_DONE = Duration.ofMinutes(6);

    @Test
    void aRunBootsTheImagesItCarriesAndEndsTheJobsWhoseArtifactsCannotBeHadInError() throws Exception {
        Path guest = SystemTestSetup.guestDir();
        try (ArtifactServer server = ArtifactServer.start();
             ProcessCluster cluster = ProcessCluster.builder(guest, SystemTestSetup.profilesDir())
                     .workers(1).slots(1).start()) {
            ObjectNode artifacts = JSON.createObjectNode();
            artifacts.set("kernel", artifact(server.serve("vmlinuz", guest.resolve("vmlinuz")), guest.resolve("vmlinuz")));
            artifacts.set("initrd", artifact(server.serve("initrd.img", guest.resolve("initrd.img")),
                    guest.resolve("initrd.img")));
            artifacts.set("disk", artifact(server.serve("base.qcow2", guest.resolve("base.qcow2")),
                    guest.resolve("base.qcow2")));
            // the kernel's bytes under another file's checksum: what a CI sends when it publishes the wrong file.
            // Not the checksum of a file the run fetches: the cache is content-addressed, and would rightly hand
            // out that file for it
            artifacts.set("mislabelled", artifact(server.serve("mislabelled", guest.resolve("vmlinuz")),
                    guest.resolve("guest.properties")));
            // a checksum no file of the run has: else the cache would answer it without asking the server
            artifacts.set("unpublished", JSON.createObjectNode().put("url", server.url("unpublished").toString())
                    .put("sha256", "0123456789abcdef".repeat(4)));

            ObjectNode body = JSON.createObjectNode();
            body.putArray("profiles");
            body.set("variables", JSON.valueToTree(Map.of("GREETING", "hello-from-ci", "SCENARIO", "pass")));
            ArrayNode definitions = body.putArray("profileDefinitions");
            definitions.add(definition("ci-image", "artifact:kernel", "artifact:initrd", "artifact:disk"));
            definitions.add(definition("ci-wrong-sha", "artifact:mislabelled", "initrd.img", "base.qcow2"));
            definitions.add(definition("ci-not-found", "artifact:unpublished", "initrd.img", "base.qcow2"));
            body.set("artifacts", artifacts);

            ClusterApi.Reply created = cluster.api().send(HttpRequest.newBuilder(cluster.api().base().resolve("/api/v1/runs"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            String runId = created.json().get("id").asText();

            JsonNode done = await("run " + runId + " done").atMost(RUN_DONE).pollInterval(Duration.ofSeconds(1))
                    .until(() -> cluster.api().run(runId),
                            run -> "DONE".equals(run.get("state").asText()) && !run.get("verdict").isNull());
            Map<String, JsonNode> jobs = new HashMap<>();
            done.get("jobs").forEach(job -> jobs.put(job.get("profile").asText(), job));
            String diagnostics = done.toPrettyString() + "\nworker log:\n" + cluster.worker(0).tail(60);

            JsonNode passed = jobs.get("ci-image");
            assertThat(passed.get("verdict").asText()).as(diagnostics).isEqualTo("PASSED");
            assertThat(passed.get("tests")).as(diagnostics).hasSize(1);
            assertThat(passed.get("tests").get(0).get("name").asText()).isEqualTo("greets hello-from-ci");
            JsonNode provisioning = passed.get("phases").get(0);
            assertThat(provisioning.get("name").asText()).isEqualTo("PROVISIONING");
            assertThat(provisioning.get("artifactFetchMillis").asLong())
                    .as("the fetch time is shown apart within PROVISIONING: %s", provisioning).isPositive();
            assertThat(server.requests("vmlinuz")).as("each artifact is downloaded once").isEqualTo(1);
            assertThat(server.requests("initrd.img")).isEqualTo(1);
            assertThat(server.requests("base.qcow2")).isEqualTo(1);

            JsonNode resolved = cluster.api().get("/api/v1/runs/" + runId + "/profiles/ci-image").json();
            assertThat(resolved.get("tests").get(0).get("run").asText()).isEqualTo("echo hello-from-ci");
            assertThat(resolved.get("vm").get("cmdline").asText()).endsWith("vmtest.scenario=pass");

            JsonNode wrongSha = jobs.get("ci-wrong-sha");
            assertThat(wrongSha.get("verdict").asText()).as(diagnostics).isEqualTo("ERROR");
            assertThat(wrongSha.get("reason").asText()).contains("mislabelled").containsIgnoringCase("sha256");
            JsonNode notFound = jobs.get("ci-not-found");
            assertThat(notFound.get("verdict").asText()).as(diagnostics).isEqualTo("ERROR");
            assertThat(notFound.get("reason").asText()).contains("unpublished").contains("404");
            assertThat(done.get("verdict").asText()).isEqualTo("ERROR");
        }
    }

    private static ObjectNode artifact(URI url, Path checksumOf) {
        return JSON.createObjectNode().put("url", url.toString()).put("sha256", ArtifactServer.sha256(checksumOf));
    }

    /** A definition as a CI sends it: no install, no reboot, one test whose command and output are the variables'. */
    private static ObjectNode definition(String name, String kernel, String initrd, String disk) throws Exception {
        return (ObjectNode) JSON.readTree("""
                {"name": "%s",
                 "vm": {"memoryMiB": 256, "vcpus": 1, "kernel": "%s", "initrd": "%s", "disk": "%s",
                        "cmdline": "console=ttyS0 panic=0 vmtest.scenario=${SCENARIO}"},
                 "ssh": {"user": "root", "keyDelivery": "KERNEL_CMDLINE", "connectTimeout": "3m"},
                 "tests": [{"name": "greets ${GREETING}", "run": "echo ${GREETING}",
                            "expectExit": 0, "expectOutput": "^${GREETING}$", "timeout": "30s"}],
                 "phaseTimeouts": {"PROVISIONING": "4m", "TESTING": "1m"},
                 "attemptLimit": 1}
                """.formatted(name, kernel, initrd, disk));
    }
}
