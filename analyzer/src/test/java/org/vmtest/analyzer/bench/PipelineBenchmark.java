package org.vmtest.analyzer.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.vmtest.analyzer.Analyzer;
import org.vmtest.analyzer.AnalyzerConfig;
import org.vmtest.analyzer.service.AnalyzerService;
import org.vmtest.kafka.embedded.EmbeddedKafka;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.kafka.Partitions;
import org.vmtest.protocol.kafka.TopicAdmin;
import org.vmtest.protocol.kafka.Topics;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.JobStarted;
import org.vmtest.protocol.stream.Line;
import org.vmtest.protocol.stream.PhaseChanged;
import org.vmtest.protocol.stream.StreamEvent;

/**
 * N console lines of many jobs through a real broker and the analyzer, until the analyzer has committed them all,
 * beside two baselines over the same records in the same run: a raw consumer, and a Kafka Streams application
 * that only runs one regex over each record (the cost of Kafka Streams with exactly-once, without the analyzer).
 *
 * <pre>
 * ./mvnw -o -q -pl analyzer test-compile
 * ./mvnw -o -q -pl analyzer dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/cp.txt
 * java -Xmx3g -cp "analyzer/target/test-classes:analyzer/target/classes:$(cat /tmp/cp.txt)" \
 *     org.vmtest.analyzer.bench.PipelineBenchmark 1000000 50 2 1
 * </pre>
 * Arguments: lines (default 1,000,000), jobs (50), partitions (2), stream threads (1).
 */
public final class PipelineBenchmark {
    private static final JsonSerde<StreamEvent> EVENTS = JsonSerde.of(StreamEvent.class);
    private static final Duration DEADLINE = Duration.ofMinutes(30);
    private static double baselineCpu;
    private static double analyzerCpu;

    private PipelineBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long lines = args.length > 0 ? Long.parseLong(args[0].replace("_", "")) : 1_000_000;
        int jobs = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int partitions = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        Path work = Files.createTempDirectory("vmtest-pipeline-bench");
        try (EmbeddedKafka broker = EmbeddedKafka.builder().dataDir(work.resolve("broker")).start()) {
            KafkaSettings settings = KafkaSettings.of(broker.bootstrapServers())
                    .withTopicPrefix("bench" + Long.toHexString(System.nanoTime() & 0xffffff)).withPartitions(partitions);
            TopicAdmin.ensureTopics(settings);
            Topics topics = settings.topics();

            long started = System.nanoTime();
            long records = produce(settings, lines, jobs);
            double produceSecs = secs(started);
            System.out.printf(Locale.ROOT, "produced %,d records (%,d lines, %d jobs) in %.1f s: %,.0f records/s%n",
                    records, lines, jobs, produceSecs, records / produceSecs);

            double raw = rawConsume(settings, records);
            double baseline = regexStreams(settings, threads, work.resolve("baseline"));
            double analyzer = analyzer(settings, threads, work.resolve("analyzer"), jobs);

            System.out.println();
            System.out.printf(Locale.ROOT, "| pipeline (%,d lines, %d jobs, %d partitions, %d stream thread%s) | seconds | lines/s |%n",
                    lines, jobs, partitions, threads, threads == 1 ? "" : "s");
            System.out.println("| --- | ---: | ---: |");
            row("raw Kafka consume (no decoding)", raw, lines);
            row("Kafka Streams, one regex, exactly_once_v2", baseline, lines);
            row("analyzer (decode, full pattern library, per-job state, verdicts), exactly_once_v2", analyzer, lines);
            System.out.println();
            System.out.println("| CPU of the app's own threads | CPU seconds | lines per CPU second |");
            System.out.println("| --- | ---: | ---: |");
            row("Kafka Streams, one regex (CPU)", baselineCpu, lines);
            row("analyzer (CPU)", analyzerCpu, lines);
            System.out.printf(Locale.ROOT, "analyzer / one-regex baseline: %.2f× wall clock, %.2f× per CPU second%n",
                    baseline / analyzer, baselineCpu / analyzerCpu);
        }
    }

    private static void row(String name, double seconds, long lines) {
        System.out.printf(Locale.ROOT, "| %s | %.1f | %,.0f |%n", name, seconds, lines / seconds);
    }

    /** Jobs' lines interleaved as many VMs print at once; job 0 panics half-way, the others boot cleanly. */
    private static long produce(KafkaSettings settings, long lines, int jobs) throws Exception {
        Properties p = settings.producer("bench-producer");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(512 * 1024));
        String topic = settings.topics().stream();
        Instant t = Instant.now();
        long count = 0;
        long[] seq = new long[jobs];
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
            for (int j = 0; j < jobs; j++) {
                send(producer, topic, new JobStarted(job(j), 1, t, "bench-run", "bench", "bench-worker", "d" + j, "tcg",
                        Map.of(), List.of()));
                send(producer, topic, new PhaseChanged(job(j), 1, t, "bench-run", Phase.INSTALLATION));
                count += 2;
            }
            List<String> panic = ConsoleCorpus.panic();
            for (long i = 0; i < lines; i++) {
                int j = (int) (i % jobs);
                String text = j == 0 && seq[0] >= lines / jobs / 2 && seq[0] < lines / jobs / 2 + panic.size()
                        ? panic.get((int) (seq[0] - lines / jobs / 2))
                        : ConsoleCorpus.line(i);
                send(producer, topic, new Line(job(j), 1, ++seq[j], LineSource.CONSOLE, Phase.INSTALLATION, t, text, false));
                count++;
            }
            for (int j = 0; j < jobs; j++) {
                send(producer, topic, new JobFinished(job(j), 1, t, "bench-run", j == 0 ? Verdict.ABORTED : Verdict.PASSED,
                        "", Phase.INSTALLATION, Map.of(), "bench-worker"));
                count++;
            }
            producer.flush();
        }
        return count;
    }

    private static String job(int j) {
        return "bench-job-" + j;
    }

    private static void send(KafkaProducer<String, byte[]> producer, String topic, StreamEvent e) {
        producer.send(new ProducerRecord<>(topic, e.jobId(), EVENTS.encode(e)));
    }

    private static double rawConsume(KafkaSettings settings, long records) {
        Properties p = settings.assignedConsumer("bench-raw");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
            Partitions.assignAll(consumer, settings.topics().stream(), Partitions.From.BEGINNING, Duration.ofSeconds(30));
            long seen = 0;
            long bytes = 0;
            long started = System.nanoTime();
            while (seen < records) {
                for (var r : consumer.poll(Duration.ofMillis(500))) {
                    seen++;
                    bytes += r.value().length;
                }
                if (secs(started) > DEADLINE.toSeconds()) throw new IllegalStateException("raw consume timed out");
            }
            double s = secs(started);
            System.out.printf(Locale.ROOT, "raw consume: %,d records, %,d MB in %.1f s%n", seen, bytes >> 20, s);
            return s;
        }
    }

    private static double regexStreams(KafkaSettings settings, int threads, Path stateDir) throws Exception {
        Pattern panic = Pattern.compile("Kernel panic - not syncing");
        String out = settings.topics().prefix() + ".bench-matches";
        try (Admin admin = Admin.create(settings.admin("bench-admin"))) {
            admin.createTopics(List.of(new NewTopic(out, settings.partitions(), (short) 1))).all().get();
            System.out.println("created " + out + ": " + admin.describeTopics(List.of(out)).allTopicNames().get());
        }
        StreamsBuilder b = new StreamsBuilder();
        b.stream(settings.topics().stream(), Consumed.with(Serdes.String(), Serdes.ByteArray()))
                .filter((k, v) -> panic.matcher(new String(v, StandardCharsets.UTF_8)).find())
                .to(out, Produced.with(Serdes.String(), Serdes.ByteArray()));
        String appId = settings.topics().prefix() + "-bench-baseline";
        Properties p = settings.streams(appId);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(threads));
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        CountDownLatch running = new CountDownLatch(1);
        try (KafkaStreams streams = new KafkaStreams(b.build(), p)) {
            streams.setStateListener((now, before) -> {
                if (now == KafkaStreams.State.RUNNING) running.countDown();
            });
            streams.start();
            if (!running.await(2, TimeUnit.MINUTES)) throw new IllegalStateException("baseline never ran");
            long cpu0 = cpuNanos(appId);
            double s = untilCommitted(settings, appId, System.nanoTime());
            baselineCpu = (cpuNanos(appId) - cpu0) / 1e9;
            System.out.printf(Locale.ROOT, "regex baseline: all committed in %.1f s, %.1f s CPU of its threads%n", s, baselineCpu);
            return s;
        }
    }

    private static double analyzer(KafkaSettings settings, int threads, Path stateDir, int jobs) throws Exception {
        AnalyzerConfig config = AnalyzerConfig.of(settings).withThreads(threads).withStateDir(stateDir.toString());
        try (AnalyzerService analyzer = Analyzer.start(config)) {
            if (!analyzer.awaitRunning(Duration.ofMinutes(2))) throw new IllegalStateException("analyzer never ran");
            String appId = settings.topics().prefix() + "-analyzer";
            long cpu0 = cpuNanos(appId);
            double s = untilCommitted(settings, appId, System.nanoTime());
            analyzerCpu = (cpuNanos(appId) - cpu0) / 1e9;
            System.out.printf(Locale.ROOT, "analyzer: all committed in %.1f s, %.1f s CPU of its threads (%d jobs)%n",
                    s, analyzerCpu, jobs);
            checkVerdicts(settings, jobs);
            return s;
        }
    }

    /** A fast analyzer that decides wrong is no result: every job has its verdict, and only the panicking one aborted. */
    private static void checkVerdicts(KafkaSettings settings, int jobs) {
        Map<Verdict, Integer> verdicts = new java.util.EnumMap<>(Verdict.class);
        // The analyzer sends each AbortJob twice (express and transactional): count the jobs aborted.
        java.util.Set<String> aborted = new java.util.HashSet<>();
        var verdictCodec = JsonSerde.of(org.vmtest.protocol.verdicts.VerdictEvent.class);
        Properties p = settings.assignedConsumer("bench-check");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
            for (String topic : List.of(settings.topics().verdicts(), settings.topics().control())) {
                List<TopicPartition> parts =
                        Partitions.assignAll(consumer, topic, Partitions.From.BEGINNING, Duration.ofSeconds(30));
                Map<TopicPartition, Long> end = consumer.endOffsets(parts);
                while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                    for (var r : consumer.poll(Duration.ofMillis(500))) {
                        if (topic.equals(settings.topics().control())) {
                            aborted.add(r.key());
                        } else if (verdictCodec.decode(r.value()) instanceof org.vmtest.protocol.codec.Decoded.Ok<?> ok
                                && ok.value() instanceof org.vmtest.protocol.verdicts.JobVerdict v) {
                            verdicts.merge(v.verdict(), 1, Integer::sum);
                        }
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "analyzer decisions: job verdicts %s, jobs aborted %d%n", verdicts, aborted.size());
        int total = verdicts.values().stream().mapToInt(Integer::intValue).sum();
        if (total != jobs || verdicts.getOrDefault(Verdict.ABORTED, 0) != 1 || aborted.size() != 1) {
            throw new IllegalStateException("wrong decisions: expected " + jobs + " verdicts, one ABORTED, one abort");
        }
    }

    /** Seconds from {@code started} until the group's committed offsets reach the end of the stream topic. */
    private static double untilCommitted(KafkaSettings settings, String groupId, long started) throws Exception {
        try (Admin admin = Admin.create(settings.admin("bench-admin"))) {
            String topic = settings.topics().stream();
            var desc = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            desc.partitions().forEach(pi -> latest.put(new TopicPartition(topic, pi.partition()), OffsetSpec.latest()));
            Map<TopicPartition, Long> end = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
            while (true) {
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
                boolean done = end.entrySet().stream().allMatch(e -> {
                    OffsetAndMetadata c = committed.get(e.getKey());
                    return e.getValue() == 0 || c != null && c.offset() >= e.getValue();
                });
                if (done) return secs(started);
                if (secs(started) > DEADLINE.toSeconds()) throw new IllegalStateException(groupId + " timed out");
                Thread.sleep(50);
            }
        }
    }

    /**
     * CPU time of the threads of a Kafka Streams application (named after its application id: stream threads and
     * their producers). On a host shared with other work wall-clock rates swing with the load; a thread's CPU time
     * much less, so the CPU-second rates compare the two apps more steadily.
     */
    private static long cpuNanos(String appId) {
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(appId)) {
                long ns = mx.getThreadCpuTime(t.getId());
                if (ns > 0) sum += ns;
            }
        }
        return sum;
    }

    private static double secs(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }
}
