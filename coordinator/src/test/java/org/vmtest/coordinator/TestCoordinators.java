package org.vmtest.coordinator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.kafka.Partitions;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.JobStarted;
import org.vmtest.protocol.stream.Line;
import org.vmtest.protocol.stream.PhaseChanged;
import org.vmtest.protocol.stream.StreamEvent;
import org.vmtest.protocol.stream.TestFinished;
import org.vmtest.protocol.verdicts.FailureAnalysis;
import org.vmtest.protocol.verdicts.Finding;
import org.vmtest.protocol.verdicts.JobVerdict;
import org.vmtest.protocol.verdicts.Thought;
import org.vmtest.protocol.verdicts.VerdictEvent;

/** Shared by the coordinator's integration tests: configs, HTTP calls, and a worker's and analyzer's records by hand. */
final class TestCoordinators {
    static final String SUBMIT_TOKEN = "submit-token-for-tests";
    static final String READ_TOKEN = "read-token-for-tests";
    static final Path PROFILES = Path.of("../deploy/profiles").toAbsolutePath().normalize();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final JsonSerde<StreamEvent> STREAM = JsonSerde.of(StreamEvent.class);
    static final JsonSerde<VerdictEvent> VERDICTS = JsonSerde.of(VerdictEvent.class);

    private TestCoordinators() {
    }

    /** A complete config file: ports chosen by the OS, the given Kafka settings, tokens for tests. */
    static Path configFile(Path dir, KafkaSettings kafka, Path profiles, String extra) {
        return configFile(dir, kafka, profiles, extra, "[]");
    }

    /** As {@link #configFile(Path, KafkaSettings, Path, String)}, with the request log's appenders given. */
    static Path configFile(Path dir, KafkaSettings kafka, Path profiles, String extra, String requestLogAppenders) {
        return configFile(dir, kafka, profiles, extra, requestLogAppenders, "");
    }

    /** ... and more settings of the API connector ({@code ", idleTimeout: 5m"}). */
    static Path configFile(Path dir, KafkaSettings kafka, Path profiles, String extra, String requestLogAppenders,
                           String connectorExtra) {
        String yaml = """
                kafka:
                  bootstrapServers: "%s"
                  topicPrefix: "%s"
                  partitions: %d
                  createTopics: true
                profilesDir: "%s"
                archiveDir: "%s"
                archiveRetention: 14d
                kafkaTimeout: 5s
                auth:
                  tokens:
                    - {name: ci, token: "%s", scopes: [submit]}
                    - {name: viewer, token: "%s", scopes: [read]}
                server:
                  applicationConnectors: [{type: http, port: 0, bindHost: 127.0.0.1%s}]
                  adminConnectors: [{type: http, port: 0, bindHost: 127.0.0.1}]
                  requestLog: {appenders: %s}
                logging:
                  level: WARN
                  loggers: {org.vmtest: INFO, org.apache.kafka: ERROR}
                %s
                """.formatted(kafka.bootstrapServers(), kafka.topics().prefix(), kafka.partitions(), profiles,
                dir.resolve("archive"), SUBMIT_TOKEN, READ_TOKEN, connectorExtra, requestLogAppenders, extra);
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("coordinator-" + System.nanoTime() + ".yml");
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static HttpResponse<String> get(URI uri, String token) {
        return send(HttpRequest.newBuilder(uri).GET(), token);
    }

    static HttpResponse<String> post(URI uri, String token, String json) {
        return send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)), token);
    }

    static HttpResponse<String> delete(URI uri, String token) {
        return send(HttpRequest.newBuilder(uri).DELETE(), token);
    }

    static HttpResponse<String> send(HttpRequest.Builder request, String token) {
        if (token != null) request.header("Authorization", "Bearer " + token);
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static KafkaProducer<String, byte[]> producer(KafkaSettings kafka) {
        return new KafkaProducer<>(kafka.producer("test-producer"));
    }

    /** Every record of a topic, as a read_committed consumer sees it. */
    static List<ConsumerRecord<String, byte[]>> readAll(KafkaSettings kafka, String topic) {
        Properties props = kafka.assignedConsumer("test-reader");
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = Partitions.assignAll(c, topic, Partitions.From.BEGINNING,
                    Duration.ofSeconds(60));
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
            Instant deadline = Instant.now().plusSeconds(20);
            while (partitions.stream().anyMatch(p -> c.position(p) < end.get(p)) && Instant.now().isBefore(deadline)) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    /** What a worker and the analyzer say about one job that runs through to {@code verdict}. */
    static void playJob(KafkaProducer<String, byte[]> producer, KafkaSettings kafka, String runId, String jobId,
                        String profile, Verdict verdict) {
        String stream = kafka.topics().stream();
        String verdicts = kafka.topics().verdicts();
        Instant t = Instant.parse("2030-01-01T10:00:00Z");
        send(producer, stream, jobId, STREAM.encode(new JobStarted(jobId, 1, t, runId, profile, "worker-a", "dom-" + jobId,
                "tcg", Map.of(), List.of())));
        send(producer, stream, jobId, STREAM.encode(new Line(jobId, 1, 1, LineSource.CONSOLE, Phase.PROVISIONING,
                t.plusMillis(100), "Linux version 6.1.0 booting", false)));
        send(producer, stream, jobId, STREAM.encode(new PhaseChanged(jobId, 1, t.plusSeconds(5), runId, Phase.INSTALLATION)));
        send(producer, stream, jobId, STREAM.encode(new Line(jobId, 1, 2, LineSource.SSH_STDOUT, Phase.INSTALLATION,
                t.plusSeconds(6), "installing onto /dev/vda", false)));
        if (verdict == Verdict.ABORTED) {
            send(producer, stream, jobId, STREAM.encode(new Line(jobId, 1, 3, LineSource.CONSOLE, Phase.INSTALLATION,
                    t.plusSeconds(7), "Kernel panic - not syncing: VFS: Unable to mount root fs", false)));
            send(producer, verdicts, runId, VERDICTS.encode(new Finding(runId, jobId, 1, t.plusSeconds(7), "kernel.panic",
                    org.vmtest.protocol.Category.CRITICAL, org.vmtest.protocol.Action.ABORT, "Kernel panic", "abc",
                    Phase.INSTALLATION, LineSource.CONSOLE, 3, "Kernel panic - not syncing: VFS: Unable to mount root fs",
                    List.of(), null, null)));
            send(producer, verdicts, runId, VERDICTS.encode(new Thought(runId, jobId, t.plusSeconds(7),
                    "line 3: Kernel panic", "abort", "a kernel panic ends the installation")));
            send(producer, stream, jobId, STREAM.encode(new JobFinished(jobId, 1, t.plusSeconds(8), runId, Verdict.ABORTED,
                    "aborted: kernel panic", Phase.INSTALLATION, Map.of(), "worker-a")));
            send(producer, verdicts, runId, VERDICTS.encode(new JobVerdict(runId, jobId, 1, t.plusSeconds(8), profile,
                    Verdict.ABORTED, "kernel panic during installation",
                    new FailureAnalysis("Kernel panic - not syncing", "abc", "kernel.panic", Phase.INSTALLATION,
                            "Kernel panic - not syncing: VFS: Unable to mount root fs", List.of(), List.of("installing onto /dev/vda")),
                    List.of("Kernel panic"), Map.of(), 0, 0)));
        } else {
            send(producer, stream, jobId, STREAM.encode(new PhaseChanged(jobId, 1, t.plusSeconds(10), runId, Phase.TESTING)));
            send(producer, stream, jobId, STREAM.encode(new TestFinished(jobId, 1, t.plusSeconds(11), runId, "selftest",
                    true, 0, 420, "", "selftest: ok")));
            // it fetched its artifacts for 1.2 s of its 5 s of PROVISIONING
            send(producer, stream, jobId, STREAM.encode(new JobFinished(jobId, 1, t.plusSeconds(12), runId, verdict,
                    "", Phase.TESTING, Map.of(), "worker-a", 1200)));
            send(producer, verdicts, runId, VERDICTS.encode(new JobVerdict(runId, jobId, 1, t.plusSeconds(12), profile,
                    verdict, "", null, List.of(), Map.of(), 1, 0)));
        }
        producer.flush();
    }

    static void send(KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, key, value));
    }
}
