package org.vmtest.analyzer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.analyzer.Analyzer;
import org.vmtest.analyzer.AnalyzerConfig;
import org.vmtest.analyzer.stream.KernelReports;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.control.AbortJob;
import org.vmtest.protocol.control.ControlCommand;
import org.vmtest.protocol.dlq.DeadLetter;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.kafka.Partitions;
import org.vmtest.protocol.kafka.TopicAdmin;
import org.vmtest.protocol.kafka.Topics;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.JobStarted;
import org.vmtest.protocol.stream.Line;
import org.vmtest.protocol.stream.PhaseChanged;
import org.vmtest.protocol.stream.StreamEvent;
import org.vmtest.protocol.verdicts.Finding;
import org.vmtest.protocol.verdicts.JobVerdict;
import org.vmtest.protocol.verdicts.VerdictEvent;
import org.vmtest.testing.KafkaClusterExtension;

/** The analyzer as deployed: a Kafka Streams client on a real broker, fed by records as a worker writes them. */
class AnalyzerIT {
    @RegisterExtension
    static final KafkaClusterExtension kafka = new KafkaClusterExtension();

    private static final JsonSerde<StreamEvent> EVENTS = JsonSerde.of(StreamEvent.class);
    private static final JsonSerde<VerdictEvent> VERDICTS = JsonSerde.of(VerdictEvent.class);

    @TempDir
    Path stateDir;

    @Test
    void panickingJobIsAbortedOnceAcrossAnAnalyzerRestartAndEveryJobGetsItsVerdict() throws Exception {
        Topics topics = kafka.topics();
        List<StreamEvent> panicking = panickingJob("job-panic", "run-it");
        int beforeRestart = 2 + KernelReports.healthyInstallLines().size();

        try (AnalyzerService first = Analyzer.start(config(stateDir.resolve("first")))) {
            assertThat(first.awaitRunning(Duration.ofSeconds(60))).as("analyzer reached RUNNING").isTrue();
            kafka.produce(topics.stream(), "job-bad", "\u0000\u0001 not json".getBytes(StandardCharsets.UTF_8));
            stream(panicking.subList(0, beforeRestart));
            stream(healthyJob("job-pass", "run-it"));
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> everythingCommitted(topics.stream(), AnalyzerService.applicationId(config(stateDir))));

            String metrics = get(first, "/metrics", 200);
            assertThat(metric(metrics, "vmtest_analyzer_dead_letters_total", "")).isEqualTo(1.0);
            assertThat(metric(metrics, "vmtest_analyzer_verdicts_total", "verdict=\"PASSED\"")).isEqualTo(1.0);
            assertThat(metric(metrics, "vmtest_analyzer_lines_total", ""))
                    .as("the panicking job's lines so far and the healthy job's one line")
                    .isEqualTo(KernelReports.healthyInstallLines().size() + 1.0);
            assertThat(metric(metrics, "vmtest_analyzer_line_delay_seconds_count", "")).isPositive();
            assertThat(metrics).as("the Streams client's own metrics").contains("kafka_consumer_fetch_manager_records_lag");
            assertThat(get(first, "/health", 200)).contains("RUNNING");
        }
        // A new instance with empty local state: what it knows of job-panic comes from the changelog.
        try (AnalyzerService second = Analyzer.start(config(stateDir.resolve("second")))) {
            assertThat(second.awaitRunning(Duration.ofSeconds(60))).as("restarted analyzer reached RUNNING").isTrue();
            stream(panicking.subList(beforeRestart, panicking.size()));

            List<VerdictEvent> verdicts = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                verdicts.clear();
                kafka.consumeFor(topics.verdicts(), Duration.ofMillis(300))
                        .forEach(r -> verdicts.add(VERDICTS.serde().deserializer().deserialize(r.topic(), r.value())));
                return verdicts.stream().filter(JobVerdict.class::isInstance).count() >= 2;
            });

            List<JobVerdict> jobVerdicts = verdicts.stream().filter(JobVerdict.class::isInstance)
                    .map(JobVerdict.class::cast).toList();
            assertThat(jobVerdicts).extracting(JobVerdict::jobId, JobVerdict::verdict).containsExactlyInAnyOrder(
                    org.assertj.core.groups.Tuple.tuple("job-panic", Verdict.ABORTED),
                    org.assertj.core.groups.Tuple.tuple("job-pass", Verdict.PASSED));
            JobVerdict aborted = jobVerdicts.stream().filter(v -> v.jobId().equals("job-panic")).findFirst().orElseThrow();
            assertThat(aborted.profile()).as("known from JobStarted, before the restart").isEqualTo("panic");
            assertThat(aborted.failure().block()).hasSize(30);
            assertThat(aborted.failure().context()).as("lines seen before the restart")
                    .anySatisfy(l -> assertThat(l).contains("vmtest-install: 25% copying base system"));
            assertThat(verdicts).filteredOn(Finding.class::isInstance).map(Finding.class::cast)
                    .extracting(Finding::jobId).contains("job-panic");

            List<ConsumerRecord<String, byte[]>> control = kafka.consumeFor(topics.control(), Duration.ofSeconds(2));
            String metrics = get(second, "/metrics", 200);
            assertThat(metric(metrics, "vmtest_analyzer_aborts_total", "")).isEqualTo(1.0);
            assertThat(metric(metrics, "vmtest_analyzer_verdicts_total", "verdict=\"ABORTED\"")).isEqualTo(1.0);
            assertThat(metric(metrics, "vmtest_analyzer_findings_total", "category=\"critical\"")).isGreaterThanOrEqualTo(1.0);

            // one decision, two copies: the express one sent at once and the transactional one of the commit
            assertThat(control).hasSize(2).allSatisfy(r -> {
                assertThat(r.key()).isEqualTo("job-panic");
                assertThat(JsonSerde.of(ControlCommand.class).serde().deserializer().deserialize(r.topic(), r.value()))
                        .isInstanceOf(AbortJob.class);
            });
            assertThat(control.get(0).value()).isEqualTo(control.get(1).value());

            List<ConsumerRecord<String, byte[]>> dlq = kafka.consumeAll(topics.dlq(), 1, Duration.ofSeconds(10));
            DeadLetter letter = JsonSerde.of(DeadLetter.class).serde().deserializer().deserialize(topics.dlq(), dlq.get(0).value());
            assertThat(dlq.get(0).key()).isEqualTo("job-bad");
            assertThat(letter.topic()).isEqualTo(topics.stream());
            assertThat(letter.consumer()).isEqualTo("analyzer");
        }
    }

    @Test
    void anAbortReachesWorkersWithoutWaitingForTheAnalyzersCommit() throws Exception {
        // Commits far apart (the transaction timeout, 10 s, bounds them): the transactional AbortJob stays invisible
        // to read_committed readers for up to 9 s.
        KafkaSettings settings = kafka.settings().withTopicPrefix(kafka.topicPrefix() + "-express")
                .withProperty("commit.interval.ms", "9000");
        TopicAdmin.ensureTopics(settings);
        AnalyzerConfig config = AnalyzerConfig.of(settings).withStateDir(stateDir.resolve("express").toString());
        try (AnalyzerService analyzer = Analyzer.start(config);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings.producer("express-it"));
             KafkaConsumer<String, byte[]> worker = new KafkaConsumer<>(settings.assignedConsumer("express-it"))) {
            assertThat(analyzer.awaitRunning(Duration.ofSeconds(60))).as("analyzer reached RUNNING").isTrue();
            Partitions.assignAll(worker, settings.topics().control(), Partitions.From.BEGINNING, Duration.ofSeconds(60));

            for (StreamEvent e : panickingJob("job-express", "run-express")) {
                if (e instanceof JobFinished) break;
                producer.send(new ProducerRecord<>(settings.topics().stream(), e.jobId(), EVENTS.encode(e)));
            }
            producer.flush();
            long sent = System.nanoTime();

            List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
            while (seen.isEmpty() && System.nanoTime() - sent < Duration.ofSeconds(5).toNanos()) {
                worker.poll(Duration.ofMillis(100)).forEach(seen::add);
            }
            assertThat(seen).as("AbortJob visible to a read_committed reader within 5 s, before the commit")
                    .singleElement().satisfies(r -> assertThat(
                            JsonSerde.of(ControlCommand.class).serde().deserializer().deserialize(r.topic(), r.value()))
                            .isInstanceOfSatisfying(AbortJob.class, a -> assertThat(a.jobId()).isEqualTo("job-express")));
        }
    }

    private AnalyzerConfig config(Path dir) {
        return AnalyzerConfig.of(kafka.settings()).withStateDir(dir.toString()).withMetricsAddress("127.0.0.1:0");
    }

    private static String get(AnalyzerService analyzer, String path, int expectedStatus) throws Exception {
        var response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + analyzer.metricsPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s", path).isEqualTo(expectedStatus);
        return response.body();
    }

    /** The value of the Prometheus sample {@code name{...}} whose labels contain {@code label}. */
    private static double metric(String scrape, String name, String label) {
        return scrape.lines().filter(l -> l.startsWith(name + "{") && l.contains(label)).findFirst()
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .orElseThrow(() -> new AssertionError("no sample " + name + " with " + label + " in:\n" + scrape));
    }

    private boolean everythingCommitted(String topic, String groupId) throws Exception {
        try (Admin admin = kafka.admin()) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                    .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
            return admin.listOffsets(latest).all().get().entrySet().stream().allMatch(e -> e.getValue().offset() == 0
                    || committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue().offset());
        }
    }

    private void stream(List<StreamEvent> events) {
        for (StreamEvent e : events) kafka.produce(kafka.topics().stream(), e.jobId(), EVENTS.encode(e));
    }

    private static List<StreamEvent> panickingJob(String jobId, String runId) {
        List<StreamEvent> events = new ArrayList<>();
        Instant t = Instant.now();
        events.add(new JobStarted(jobId, 1, t, runId, "panic", "worker-it", "vmtest-" + jobId, "tcg", Map.of(), List.of()));
        events.add(new PhaseChanged(jobId, 1, t, runId, Phase.INSTALLATION));
        long seq = 0;
        List<String> console = new ArrayList<>(KernelReports.healthyInstallLines());
        console.addAll(KernelReports.panicReport());
        for (String text : console) {
            events.add(new Line(jobId, 1, ++seq, LineSource.CONSOLE, Phase.INSTALLATION, t, text, false));
        }
        events.add(new JobFinished(jobId, 1, t, runId, Verdict.ABORTED, "aborted by the analyzer", Phase.INSTALLATION,
                Map.of(), "worker-it"));
        return events;
    }

    private static List<StreamEvent> healthyJob(String jobId, String runId) {
        Instant t = Instant.now();
        return List.of(
                new JobStarted(jobId, 1, t, runId, "pass", "worker-it", "vmtest-" + jobId, "tcg", Map.of(), List.of()),
                new PhaseChanged(jobId, 1, t, runId, Phase.INSTALLATION),
                new Line(jobId, 1, 1, LineSource.CONSOLE, Phase.INSTALLATION, t, "vmtest-install: 100% done", false),
                new JobFinished(jobId, 1, t, runId, Verdict.PASSED, "", Phase.REPORTING, Map.of(), "worker-it"));
    }
}
