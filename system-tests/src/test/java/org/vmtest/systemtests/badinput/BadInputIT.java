package org.vmtest.systemtests.badinput;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.codec.Json;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.dlq.DeadLetter;
import org.vmtest.protocol.stream.Line;
import org.vmtest.protocol.stream.StreamEvent;
import org.vmtest.systemtests.SystemTestSetup;
import org.vmtest.testing.cluster.ProcessCluster;
import org.vmtest.testing.cluster.ServiceProcess;
import static org.awaitility.Awaitility.await;

/**
 * Hostile input against a cluster of real service processes: the API, every topic, and a guest that floods its
 * console. The services must answer with 4xx (never 5xx), route what they cannot decode to the dead-letter topic,
 * keep running, and lose no line of a flood.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputIT {
    private ProcessCluster cluster;

    @BeforeAll
    void startCluster() {
        cluster = ProcessCluster.builder(SystemTestSetup.guestDir(), SystemTestSetup.profilesDir()).workers(1).start();
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) cluster.close();
    }

    @Test
    @Order(1)
    void thousandsOfHostileApiRequestsGetNo5xxAndLeaveTheCoordinatorHealthy() {
        long seed = Long.getLong("vmtest.fuzz.seed", System.nanoTime());
        int target = Integer.getInteger("vmtest.fuzz.requests", 3000);
        RequestFuzzer fuzzer = new RequestFuzzer(seed, cluster.api().base());
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> serverErrors = new ArrayList<>();
        List<String> created = new ArrayList<>();
        int unsendable = 0;
        int sent = 0;
        long deadline = System.nanoTime() + RequestFuzzer.budget().toNanos();
        while (sent < target && System.nanoTime() < deadline) {
            HttpRequest.Builder request;
            try {
                request = fuzzer.next();
            } catch (IllegalArgumentException e) {
                unsendable++; // java.net.http refuses to send it (e.g. a header it deems illegal)
                continue;
            }
            ClusterReply reply = send(request);
            sent++;
            statuses.merge(reply.status, 1, Integer::sum);
            if (reply.status >= 500) serverErrors.add(reply.status + " for " + reply.what + ": " + abbreviate(reply.body));
            if (reply.status == 201) created.add(jsonOf(reply.body).get("id").asText());
        }
        // A mutation that happens to be a valid submission creates a run: cancel it, no VM is wanted here.
        created.forEach(id -> cluster.api().send(HttpRequest.newBuilder(cluster.api().base().resolve("/api/v1/runs/" + id)).DELETE()));

        System.out.printf("BAD INPUT API fuzz (seed %d): %d requests, %d 5xx, %d not sendable by the client, statuses %s%n",
                seed, sent, serverErrors.size(), unsendable, statuses);
        assertThat(sent).as("requests sent within the time budget").isGreaterThanOrEqualTo(1000);
        assertThat(serverErrors).as("5xx answers (seed " + seed + ")\n" + cluster.coordinator().tail(40)).isEmpty();
        assertThat(cluster.api().healthcheck().status()).as("healthcheck after the fuzz: " + cluster.api().healthcheck().body())
                .isEqualTo(200);
        assertThat(cluster.coordinator().isAlive()).isTrue();
    }

    @Test
    @Order(2)
    void garbageOnEveryTopicLandsInTheDeadLetterTopicAndEveryServiceKeepsRunning() throws Exception {
        var topics = cluster.topics();
        List<String> targets = List.of(topics.jobs(), topics.stream(), topics.verdicts(), topics.control(), topics.workers());
        Random random = new Random(42);
        Map<String, List<RecordMetadata>> produced = new TreeMap<>();
        Properties props = cluster.settings().producer("system-test-garbage");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props,
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            for (String topic : targets) {
                for (byte[] value : garbage(random, !topic.equals(topics.stream()))) {
                    RecordMetadata m = producer.send(new ProducerRecord<>(topic, "garbage-" + random.nextInt(1000), value))
                            .get(30, TimeUnit.SECONDS);
                    produced.computeIfAbsent(topic, t -> new ArrayList<>()).add(m);
                }
            }
        }
        int total = produced.values().stream().mapToInt(List::size).sum();

        JsonSerde<DeadLetter> serde = JsonSerde.of(DeadLetter.class);
        Map<String, Integer> missing = new TreeMap<>();
        Set<String> dead = new HashSet<>();
        try {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(3)).until(() -> {
                dead.clear();
                for (DeadLetter d : cluster.topicReader().decodeAll(topics.dlq(), serde::decode)) {
                    dead.add(d.topic() + "/" + d.partition() + "@" + d.offset());
                }
                missing.clear();
                produced.forEach((topic, sent) -> sent.forEach(m -> {
                    if (!dead.contains(m.topic() + "/" + m.partition() + "@" + m.offset())) missing.merge(topic, 1, Integer::sum);
                }));
                return missing.isEmpty();
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // reported below, with what is missing per topic
        }
        int deadLetters = cluster.topicReader().deadLetterCount();
        System.out.printf("BAD INPUT topics: %d undecodable records produced on %d topics, %d records on %s, missing per topic %s%n",
                total, targets.size(), deadLetters, topics.dlq(), missing);

        List<ServiceProcess> services = new ArrayList<>(List.of(cluster.coordinator()));
        services.addAll(cluster.analyzers());
        services.addAll(cluster.workers());
        for (ServiceProcess s : services) {
            assertThat(s.isAlive()).as(s.name() + " still running after the garbage\n" + s.tail(40)).isTrue();
        }
        assertThat(cluster.api().healthcheck().status()).as(cluster.api().healthcheck().body()).isEqualTo(200);
        assertThat(cluster.api().get("/api/v1/runs").status()).isEqualTo(200);
        assertThat(missing).as("garbage records not found on " + topics.dlq() + " (topic → count)\n" + cluster.diagnostics())
                .isEmpty();
    }

    @Test
    @Order(3)
    void guestFloodingItsConsoleLosesNoLineAndTheWorkerMemoryStaysBounded() {
        ServiceProcess worker = cluster.worker(0);
        long rssBefore = worker.rssKiB().orElse(-1);
        JsonNode run = cluster.api().submit(List.of("flood"));
        String runId = run.get("id").asText();
        String jobId = run.get("jobs").get(0).get("id").asText();
        long[] rssPeak = {rssBefore};
        JsonNode done = await().atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(2))
                .until(() -> {
                    rssPeak[0] = Math.max(rssPeak[0], worker.rssKiB().orElse(0));
                    try {
                        return cluster.api().run(runId);
                    } catch (UncheckedIOException e) {
                        return null;
                    }
                }, r -> r != null && "DONE".equals(r.get("state").asText()));
        long rssAfter = worker.rssKiB().orElse(-1);

        JsonSerde<StreamEvent> serde = JsonSerde.of(StreamEvent.class);
        List<Line> lines = cluster.topicReader().decodeAll(cluster.topics().stream(), serde::decode).stream()
                .filter(Line.class::isInstance).map(Line.class::cast).filter(l -> l.jobId().equals(jobId)).toList();
        int attempt = lines.stream().mapToInt(Line::attempt).max().orElse(0);
        List<Line> last = lines.stream().filter(l -> l.attempt() == attempt).toList();
        TreeSet<Long> seqs = new TreeSet<>();
        last.forEach(l -> seqs.add(l.seq()));
        long maxSeq = seqs.isEmpty() ? 0 : seqs.last();
        Set<Integer> floodNumbers = new HashSet<>();
        for (Line l : last) {
            if (l.source() == LineSource.CONSOLE && l.text().startsWith("vmtest-flood ")) {
                try {
                    floodNumbers.add(Integer.parseInt(l.text().substring("vmtest-flood ".length()).strip()));
                } catch (NumberFormatException e) {
                    // "vmtest-flood: done": not a numbered line
                }
            }
        }
        System.out.printf("BAD INPUT flood: job %s verdict %s, %d Line records (attempt %d), seq 1..%d with %d gaps, "
                        + "%d/100000 numbered flood lines, %d duplicates; worker RSS %d MiB before, %d MiB peak, %d MiB after%n",
                jobId, done.get("jobs").get(0).get("verdict").asText(), last.size(), attempt, maxSeq, maxSeq - seqs.size(),
                floodNumbers.size(), last.size() - seqs.size(), rssBefore / 1024, rssPeak[0] / 1024, rssAfter / 1024);

        assertThat(done.get("jobs").get(0).get("verdict").asText()).as(cluster.diagnostics()).isEqualTo("PASSED");
        assertThat(seqs).as("seq without gaps").hasSize((int) maxSeq);
        assertThat(last).as("no line twice").hasSize(seqs.size());
        assertThat(floodNumbers).as("every numbered flood line").hasSize(100_000);
        assertThat(rssPeak[0]).as("worker RSS peak (KiB) stays bounded").isLessThan(1024L * 1024);
    }

    /** Undecodable values: random bytes, text that is not JSON, JSON of the wrong shape or of another topic's type. */
    private static List<byte[]> garbage(Random random, boolean strayLine) {
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            byte[] b = new byte[1 + random.nextInt(512)];
            random.nextBytes(b);
            b[0] = (byte) 0xff; // never valid JSON
            values.add(b);
        }
        values.add(new byte[0]);
        values.add("not json at all".getBytes(StandardCharsets.UTF_8));
        values.add("{\"type\":\"NoSuchRecord\",\"jobId\":\"x\"}".getBytes(StandardCharsets.UTF_8));
        values.add("[1,2,3]".getBytes(StandardCharsets.UTF_8));
        values.add("42".getBytes(StandardCharsets.UTF_8));
        values.add("{\"type\":\"JobRequested\"}".getBytes(StandardCharsets.UTF_8));
        values.add("{\"type\":\"AbortJob\",\"jobId\":12,\"time\":\"yesterday\"}".getBytes(StandardCharsets.UTF_8));
        values.add(("{\"type\":\"Line\",\"jobId\":\"j\",\"seq\":-5,\"source\":\"nowhere\",\"text\":\""
                + "x".repeat(100_000) + "\"}").getBytes(StandardCharsets.UTF_8));
        if (!strayLine) return values;
        try {
            // A well-formed record of another topic's family: valid JSON, wrong type for most topics.
            values.add(Json.mapper().writeValueAsBytes(new Line("jx", 1, 1, LineSource.CONSOLE, Phase.INSTALLATION,
                    Instant.now(), "a stray line", false)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return values;
    }

    private record ClusterReply(int status, String body, String what) {
    }

    private ClusterReply send(HttpRequest.Builder request) {
        HttpRequest built = request.build();
        String what = built.method() + " " + abbreviate(built.uri().toString());
        try {
            var reply = cluster.api().send(HttpRequest.newBuilder(built, (n, v) -> true));
            return new ClusterReply(reply.status(), reply.body(), what);
        } catch (UncheckedIOException e) {
            // The server closing the connection on a request it refuses (e.g. a body far over the limit) is fine;
            // a coordinator that stops answering is not: the health check after the fuzz tells.
            return new ClusterReply(-1, e.getMessage(), what);
        }
    }

    private static JsonNode jsonOf(String body) {
        try {
            return Json.mapper().readTree(body);
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
