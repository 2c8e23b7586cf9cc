package org.vmtest.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.codec.Json;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.stream.JobStarted;
import org.vmtest.protocol.stream.Line;
import org.vmtest.testing.KafkaClusterExtension;

/** The archive at its limits: a real filesystem that fills up (a 2 MiB tmpfs) and frees again; a job over its output cap. */
class ArchiveLimitsIT {
    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    @TempDir
    Path dir;

    @Test
    void aFullDiskLosesNoLineMakesTheArchiveUnhealthyAndTheArchiveCatchesUpWhenSpaceFrees() throws Exception {
        Path archive = dir.resolve("archive");
        Files.createDirectories(archive);
        run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", archive.toString());
        KafkaSettings kafka = KAFKA.settings();
        try (Coordinator coordinator = Coordinator.start(TestCoordinators.configFile(dir, kafka, TestCoordinators.PROFILES, ""));
             KafkaProducer<String, byte[]> producer = TestCoordinators.producer(kafka)) {
            HttpResponse<String> created = TestCoordinators.post(coordinator.baseUri().resolve("/api/v1/runs"),
                    TestCoordinators.SUBMIT_TOKEN, "{\"profiles\":[\"pass\"]}");
            JsonNode run = Json.mapper().readTree(created.body());
            String runId = run.get("id").asText();
            String jobId = run.get("jobs").get(0).get("id").asText();
            Path console = archive.resolve(runId).resolve(jobId).resolve("console.log");
            URI health = URI.create("http://127.0.0.1:" + coordinator.adminPort() + "/healthcheck");

            TestCoordinators.send(producer, kafka.topics().stream(), jobId, TestCoordinators.STREAM.encode(new JobStarted(jobId, 1,
                    Instant.now(), runId, "pass", "worker-a", "dom-" + jobId, "tcg", Map.of(), List.of())));
            lines(producer, kafka, jobId, 1, 200);
            await().atMost(Duration.ofSeconds(60)).until(() -> lineCount(console) == 200);

            Path filler = archive.resolve("filler");
            fill(filler);
            lines(producer, kafka, jobId, 201, 1200);

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                HttpResponse<String> h = TestCoordinators.get(health, null);
                assertThat(h.statusCode()).isEqualTo(500);
                assertThat(Json.mapper().readTree(h.body()).get("archive").get("message").asText())
                        .contains("No space left on device");
            });
            // A batch that still fits in the console file's last tmpfs page may land before the disk refuses the
            // next one: what is there must be whole lines, in order, none missing, and the refused rest absent.
            List<String> beforeSpaceFrees = Files.readAllLines(console);
            assertThat(beforeSpaceFrees).as("a failed batch leaves no part behind")
                    .isEqualTo(expected(1, beforeSpaceFrees.size()));
            assertThat(beforeSpaceFrees.size()).isBetween(200, 1199);
            assertThat(Files.readString(console)).endsWith("\n");

            Files.delete(filler);
            await().atMost(Duration.ofSeconds(90)).until(() -> lineCount(console) >= 1200);
            assertThat(Files.readAllLines(console)).as("every line once, in order").isEqualTo(expected(1, 1200));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(TestCoordinators.get(health, null).statusCode()).isEqualTo(200));
        } finally {
            run("umount", archive.toString());
        }
    }

    @Test
    void aJobsOutputPastMaxJobOutputBytesIsCutAndItsLogSaysSo() throws Exception {
        KafkaSettings kafka = KAFKA.settings();
        try (Coordinator coordinator = Coordinator.start(TestCoordinators.configFile(dir, kafka, TestCoordinators.PROFILES,
                "maxJobOutputBytes: 20KiB"));
             KafkaProducer<String, byte[]> producer = TestCoordinators.producer(kafka)) {
            JsonNode run = Json.mapper().readTree(TestCoordinators.post(coordinator.baseUri().resolve("/api/v1/runs"),
                    TestCoordinators.SUBMIT_TOKEN, "{\"profiles\":[\"pass\"]}").body());
            String runId = run.get("id").asText();
            String jobId = run.get("jobs").get(0).get("id").asText();
            Path jobDir = dir.resolve("archive").resolve(runId).resolve(jobId);

            TestCoordinators.send(producer, kafka.topics().stream(), jobId, TestCoordinators.STREAM.encode(new JobStarted(jobId, 1,
                    Instant.now(), runId, "pass", "worker-a", "dom-" + jobId, "tcg", Map.of(), List.of())));
            lines(producer, kafka, jobId, 1, 1000);
            TestCoordinators.send(producer, kafka.topics().stream(), jobId, TestCoordinators.STREAM.encode(
                    new org.vmtest.protocol.stream.PhaseChanged(jobId, 1, Instant.now(), runId, Phase.INSTALLATION)));
            producer.flush();

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(Files.readString(jobDir.resolve("stream.jsonl"))).contains("PhaseChanged"));
            List<String> console = Files.readAllLines(jobDir.resolve("console.log"));
            assertThat(console.get(console.size() - 1)).contains("maxJobOutputBytes", "cut");
            assertThat(console.subList(0, console.size() - 1)).as("the lines kept are the first ones, whole")
                    .isEqualTo(expected(1, console.size() - 1)).hasSizeBetween(10, 999);
            long output = Files.size(jobDir.resolve("console.log")) + Files.size(jobDir.resolve("stream.jsonl"));
            assertThat(output).as("the cap, plus the cut notice and the records that are not lines").isLessThan(22 * 1024);
        }
    }

    private static List<String> expected(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(ArchiveLimitsIT::text).toList();
    }

    private static String text(int seq) {
        return "console line " + seq + " " + "x".repeat(60);
    }

    private static void lines(KafkaProducer<String, byte[]> producer, KafkaSettings kafka, String jobId, int from, int to) {
        for (int seq = from; seq <= to; seq++) {
            TestCoordinators.send(producer, kafka.topics().stream(), jobId, TestCoordinators.STREAM.encode(
                    new Line(jobId, 1, seq, LineSource.CONSOLE, Phase.PROVISIONING, Instant.now(), text(seq), false)));
        }
        producer.flush();
    }

    private static long lineCount(Path file) throws IOException {
        if (!Files.exists(file)) return 0;
        try (var lines = Files.lines(file)) {
            return lines.count();
        }
    }

    /** Writes until the filesystem refuses: it is then full. */
    private static void fill(Path filler) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) out.write(block);
        } catch (IOException e) {
            assertThat(e.getMessage()).contains("No space left on device");
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
    }
}
