package org.vmtest.systemtests.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.vmtest.protocol.codec.Decoded;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.control.AbortJob;
import org.vmtest.protocol.control.ControlCommand;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.JobStarted;
import org.vmtest.protocol.stream.Line;
import org.vmtest.protocol.stream.StreamEvent;
import org.vmtest.protocol.verdicts.JobVerdict;
import org.vmtest.systemtests.SystemTestSetup;
import org.vmtest.testing.cluster.ProcessCluster;
import org.vmtest.testing.cluster.ServiceProcess;

/**
 * Cluster benchmarks on real service processes; prints one table per benchmark (Markdown, for docs/BENCHMARKS.md).
 *
 * <pre>
 * ./mvnw -o -q -pl system-tests test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=org.vmtest.systemtests.bench.ClusterBenchmark -Dexec.args="abort 20 dispatch 1000 overhead 1"
 * </pre>
 *
 * {@code abort N}: N {@code panic} jobs, latency from the panic line to the guest being stopped (paused) and to the
 * domain being destroyed, by leg.
 * {@code dispatch N}: N jobs whose VM fails at once (missing kernel), to two workers: first start, drain, lost.
 * {@code overhead N}: N {@code pass} jobs through the cluster vs {@code system-tests/bench/bare-qemu-pass.sh}.
 * Every benchmark also samples each service's RSS idle and under its load.
 */
public final class ClusterBenchmark {
    private static final JsonSerde<StreamEvent> STREAM = JsonSerde.of(StreamEvent.class);
    private static final JsonSerde<ControlCommand> CONTROL = JsonSerde.of(ControlCommand.class);
    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");
    private static final Pattern RECEIPT = Pattern.compile("^(\\S+ \\S+) .*AbortJob for job (\\S+):");
    private static final Pattern STOPPED = Pattern.compile("^(\\S+ \\S+) .*job (\\S+): domain \\S+ stopped (\\d+) ms after");
    private static final Pattern DESTROYED = Pattern.compile("^(\\S+ \\S+) .*job (\\S+): domain \\S+ destroyed (\\d+) ms after");

    private final Map<String, long[]> memory = new LinkedHashMap<>();
    private final Map<String, List<Double>> loadAverages = new HashMap<>();

    public static void main(String[] args) throws Exception {
        ClusterBenchmark bench = new ClusterBenchmark();
        List<String> a = args.length == 0 ? List.of("abort", "20", "dispatch", "1000", "overhead", "1") : List.of(args);
        for (int i = 0; i + 1 < a.size(); i += 2) {
            int n = Integer.parseInt(a.get(i + 1));
            switch (a.get(i)) {
                case "abort" -> bench.abortLatency(n);
                case "dispatch" -> bench.dispatch(n);
                case "overhead" -> bench.overhead(n);
                default -> throw new IllegalArgumentException("unknown benchmark " + a.get(i) + " (abort|dispatch|overhead)");
            }
        }
        bench.printMemory();
    }

    // ---------------------------------------------------------------- abort latency

    void abortLatency(int runs) {
        try (ProcessCluster cluster = ProcessCluster.builder(SystemTestSetup.guestDir(), SystemTestSetup.profilesDir())
                .workers(2).start()) {
            sampleIdle("abort", cluster);
            List<String> profiles = Collections.nCopies(runs, "panic");
            long t0 = System.nanoTime();
            String runId = cluster.api().submit(profiles).get("id").asText();
            JsonNode done = awaitDone(cluster, runId, Duration.ofMinutes(5L + 2L * runs), "abort");
            System.out.printf("%n%d panic jobs done in %d s: %s%n", runs, (System.nanoTime() - t0) / 1_000_000_000,
                    verdictCounts(done));

            Map<String, Long> firstLine = new HashMap<>();
            Map<String, Long> endLine = new HashMap<>();
            Map<String, List<String>> attempts = new LinkedHashMap<>();
            for (ConsumerRecord<String, byte[]> r : cluster.topicReader().readAll(cluster.topics().stream())) {
                if (STREAM.decode(r.value()) instanceof Decoded.Ok<StreamEvent> ok && ok.value() instanceof Line l) {
                    if (l.text().contains("Kernel panic - not syncing")) firstLine.putIfAbsent(l.jobId(), l.time().toEpochMilli());
                    if (l.text().contains("---[ end Kernel panic")) endLine.putIfAbsent(l.jobId(), l.time().toEpochMilli());
                } else if (STREAM.decode(r.value()) instanceof Decoded.Ok<StreamEvent> ok && ok.value() instanceof JobFinished f) {
                    attempts.computeIfAbsent(f.jobId(), k -> new ArrayList<>()).add("attempt " + f.attempt() + " on "
                            + f.workerId() + ": " + f.outcome() + " in " + f.lastPhase() + " (" + f.reason() + ")");
                }
            }
            // Every job that did not end as one ABORTED attempt, with each attempt's own account: the cluster's
            // files are gone once it closes.
            done.get("jobs").forEach(j -> {
                String id = j.get("id").asText();
                List<String> tries = attempts.getOrDefault(id, List.of());
                if (!"ABORTED".equals(j.get("verdict").asText()) || tries.size() != 1) {
                    System.out.printf("job %s: verdict %s; %s%n", id, j.get("verdict").asText(),
                            tries.isEmpty() ? "no JobFinished" : String.join("; ", tries));
                    for (ServiceProcess w : cluster.workers()) {
                        w.logText().lines().filter(l -> l.contains(id) && (l.contains(" WARN ") || l.contains(" ERROR ")))
                                .limit(10).forEach(l -> System.out.println("    " + w.name() + ": " + l));
                    }
                }
            });
            Map<String, Long> abortAt = new HashMap<>();
            for (ConsumerRecord<String, byte[]> r : cluster.topicReader().readAll(cluster.topics().control())) {
                if (CONTROL.decode(r.value()) instanceof Decoded.Ok<ControlCommand> ok && ok.value() instanceof AbortJob a) {
                    // The analyzer's own clock: the record's timestamp is inherited from the input line (Kafka Streams).
                    abortAt.putIfAbsent(a.jobId(), a.time().toEpochMilli());
                }
            }
            Map<String, Long> receipt = new HashMap<>();
            Map<String, Long> stopped = new HashMap<>();
            Map<String, Long> destroyed = new HashMap<>();
            Map<String, Long> workerStopped = new HashMap<>();
            Map<String, Long> workerDestroyed = new HashMap<>();
            for (ServiceProcess w : cluster.workers()) {
                for (String line : w.logText().lines().toList()) {
                    Matcher m = RECEIPT.matcher(line);
                    if (m.find()) receipt.putIfAbsent(m.group(2), logMillis(m.group(1)));
                    m = STOPPED.matcher(line);
                    if (m.find()) {
                        stopped.putIfAbsent(m.group(2), logMillis(m.group(1)));
                        workerStopped.putIfAbsent(m.group(2), Long.parseLong(m.group(3)));
                    }
                    m = DESTROYED.matcher(line);
                    if (m.find()) {
                        destroyed.putIfAbsent(m.group(2), logMillis(m.group(1)));
                        workerDestroyed.putIfAbsent(m.group(2), Long.parseLong(m.group(3)));
                    }
                }
            }
            Map<String, List<Long>> legs = new LinkedHashMap<>();
            for (String leg : List.of("panic line → report end line (evidence kept)", "report end line → AbortJob (worker→broker→analyzer)",
                    "AbortJob → worker receipt (control topic)", "worker receipt → VM stopped (paused)",
                    "VM stopped → domain destroyed", "control record timestamp → VM stopped (worker's own figure)",
                    "control record timestamp → destroyed (worker's own figure)", "**total: panic line → VM stopped**",
                    "total: panic line → domain destroyed")) {
                legs.put(leg, new ArrayList<>());
            }
            int complete = 0;
            for (String job : firstLine.keySet()) {
                Long end = endLine.get(job);
                Long abort = abortAt.get(job);
                Long recv = receipt.get(job);
                Long stop = stopped.get(job);
                Long gone = destroyed.get(job);
                if (end == null || abort == null || recv == null || stop == null || gone == null) continue;
                complete++;
                List<List<Long>> l = new ArrayList<>(legs.values());
                l.get(0).add(end - firstLine.get(job));
                l.get(1).add(abort - end);
                l.get(2).add(recv - abort);
                l.get(3).add(stop - recv);
                l.get(4).add(gone - stop);
                l.get(5).add(workerStopped.get(job));
                l.get(6).add(workerDestroyed.get(job));
                l.get(7).add(stop - firstLine.get(job));
                l.get(8).add(gone - firstLine.get(job));
            }
            System.out.printf("%n### Abort latency (%d panic jobs, %d with every timestamp)%n%n", runs, complete);
            System.out.println("| leg | p50 ms | p99 ms | min ms | max ms |");
            System.out.println("| --- | ---: | ---: | ---: | ---: |");
            legs.forEach((leg, values) -> System.out.printf("| %s | %s | %s | %s | %s |%n", leg, pct(values, 50),
                    pct(values, 99), pct(values, 0), pct(values, 100)));
            System.out.printf("%n1-minute load average during the run (sampled every 250 ms): %s%n", loadSummary("abort"));
            for (String job : firstLine.keySet()) {
                if (!destroyed.containsKey(job)) {
                    System.out.printf("job %s: no 'destroyed' line from its worker (end line %s, AbortJob %s, receipt %s, stopped %s)%n",
                            job, endLine.containsKey(job), abortAt.containsKey(job), receipt.containsKey(job), stopped.containsKey(job));
                }
            }
        }
    }

    // ---------------------------------------------------------------- dispatch

    void dispatch(int jobs) throws IOException {
        Path profiles = Files.createTempDirectory("vmtest-bench-profiles-");
        String panic = Files.readString(SystemTestSetup.profilesDir().resolve("panic.yaml"));
        Files.writeString(profiles.resolve("fail-fast.yaml"), panic
                .replace("name: panic", "name: fail-fast")
                .replace("kernel: vmlinuz", "kernel: no-such-kernel-vmlinuz")
                .replace("attemptLimit: 2", "attemptLimit: 1"));
        try (ProcessCluster cluster = ProcessCluster.builder(SystemTestSetup.guestDir(), profiles).workers(2).slots(2).start()) {
            sampleIdle("dispatch", cluster);
            // One job first, on the cold cluster: its latency is the first submission's after a start (JIT, class
            // loading, connections); the timed runs then measure a cluster that has served before, as it mostly has.
            long coldSubmit = System.currentTimeMillis();
            String coldRun = cluster.api().submit(List.of("fail-fast")).get("id").asText();
            awaitDone(cluster, coldRun, Duration.ofMinutes(5), "dispatch");
            List<String> runIds = new ArrayList<>();
            long t0 = System.currentTimeMillis();
            for (int left = jobs; left > 0; left -= 100) {
                runIds.add(cluster.api().submit(Collections.nCopies(Math.min(100, left), "fail-fast")).get("id").asText());
            }
            long submitted = System.currentTimeMillis();
            for (String runId : runIds) awaitDone(cluster, runId, Duration.ofMinutes(30), "dispatch");
            long drainedSeen = System.currentTimeMillis();

            Set<String> runSet = new HashSet<>(runIds);
            long firstStart = Long.MAX_VALUE;
            long coldStart = Long.MAX_VALUE;
            Map<String, Integer> startsByWorker = new HashMap<>();
            for (ConsumerRecord<String, byte[]> r : cluster.topicReader().readAll(cluster.topics().stream())) {
                if (STREAM.decode(r.value()) instanceof Decoded.Ok<StreamEvent> ok && ok.value() instanceof JobStarted s) {
                    if (s.runId().equals(coldRun)) coldStart = Math.min(coldStart, s.time().toEpochMilli());
                    if (!runSet.contains(s.runId())) continue;
                    firstStart = Math.min(firstStart, s.time().toEpochMilli());
                    startsByWorker.merge(s.workerId(), 1, Integer::sum);
                }
            }
            long firstJobRecord = Long.MAX_VALUE;
            for (ConsumerRecord<String, byte[]> r : cluster.topicReader().readAll(cluster.topics().jobs())) {
                // the coordinator's producer's clock; the cold run's job was written before t0
                if (r.timestamp() >= t0) firstJobRecord = Math.min(firstJobRecord, r.timestamp());
            }
            List<JobVerdict> verdicts = cluster.topicReader().verdictEvents().stream()
                    .filter(JobVerdict.class::isInstance).map(JobVerdict.class::cast)
                    .filter(v -> runSet.contains(v.runId())).toList();
            Set<String> distinct = new HashSet<>();
            long lastVerdict = 0;
            Map<String, Integer> byVerdict = new HashMap<>();
            for (JobVerdict v : verdicts) {
                distinct.add(v.jobId());
                lastVerdict = Math.max(lastVerdict, v.time().toEpochMilli());
                byVerdict.merge(v.verdict().name(), 1, Integer::sum);
            }
            System.out.printf("%n### Dispatch: %d jobs whose VM fails at start, two workers × 2 slots%n%n", jobs);
            System.out.println("| measure | value |");
            System.out.println("| --- | ---: |");
            System.out.printf("| submitting %d runs of ≤100 jobs | %d ms |%n", runIds.size(), submitted - t0);
            System.out.printf("| cold: the first submission to the fresh cluster (1 job) → its JobStarted | %d ms |%n",
                    coldStart - coldSubmit);
            System.out.printf("| first submit → first JobStarted | %d ms |%n", firstStart - t0);
            System.out.printf("| of which: first submit → first job record written (its timestamp) | %d ms |%n",
                    firstJobRecord - t0);
            System.out.printf("| first submit → last JobVerdict | %d ms |%n", lastVerdict - t0);
            System.out.printf("| first submit → API shows every run DONE | %d ms |%n", drainedSeen - t0);
            System.out.printf("| throughput (jobs/s, to last JobVerdict) | %.1f |%n", jobs * 1000.0 / Math.max(1, lastVerdict - t0));
            System.out.printf("| JobVerdicts / distinct jobs / lost / duplicates | %d / %d / %d / %d |%n", verdicts.size(),
                    distinct.size(), jobs - distinct.size(), verdicts.size() - distinct.size());
            System.out.printf("| verdicts | %s |%n| JobStarted per worker | %s |%n", byVerdict, startsByWorker);
            printSlotSteps(cluster);
        }
    }

    private static final Pattern SETTLED = Pattern.compile("settled job \\S+: free (\\d+) ms before it came, (\\d+) ms to start it,"
            + " ran (\\d+) ms, stream flush (\\d+) ms");

    /** Where a slot's time went per job, from the workers' "settled" lines (workers that log them). */
    private static void printSlotSteps(ProcessCluster cluster) {
        List<List<Long>> steps = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (ServiceProcess w : cluster.workers()) {
            for (String line : w.logText().lines().toList()) {
                Matcher m = SETTLED.matcher(line);
                if (!m.find()) continue;
                for (int i = 0; i < 4; i++) steps.get(i).add(Long.parseLong(m.group(i + 1)));
            }
        }
        if (steps.get(0).isEmpty()) return;
        System.out.printf("%n| a slot's time per job (%d jobs) | p50 ms | p99 ms | sum s |%n| --- | ---: | ---: | ---: |%n",
                steps.get(0).size());
        List<String> names = List.of("free, waiting for the next job (acknowledgement + fetch)", "acquired → job thread started",
                "job ran (JobStarted … JobFinished)", "stream flush before the acknowledgement");
        for (int i = 0; i < 4; i++) {
            List<Long> v = steps.get(i);
            System.out.printf("| %s | %s | %s | %.1f |%n", names.get(i), pct(v, 50), pct(v, 99),
                    v.stream().mapToLong(Long::longValue).sum() / 1000.0);
        }
    }

    // ---------------------------------------------------------------- orchestration overhead

    void overhead(int runs) throws Exception {
        List<Long> cluster = new ArrayList<>();
        List<Long> bare = new ArrayList<>();
        Path script = Path.of(System.getProperty("vmtest.bench.bareScript", "system-tests/bench/bare-qemu-pass.sh"));
        // Alternating pairs, the cluster idle (but up) during each bare run: the load of a shared host moves by the
        // minute, and a pair sees about the same.
        try (ProcessCluster c = ProcessCluster.builder(SystemTestSetup.guestDir(), SystemTestSetup.profilesDir())
                .workers(1).start()) {
            sampleIdle("overhead", c);
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                String runId = c.api().submit(List.of("pass")).get("id").asText();
                JsonNode done = awaitDone(c, runId, Duration.ofMinutes(10), "overhead");
                cluster.add((System.nanoTime() - t0) / 1_000_000);
                System.out.printf("cluster pass run: %d ms, %s%n", cluster.get(cluster.size() - 1), verdictCounts(done));
                Process p = new ProcessBuilder("bash", script.toString(), SystemTestSetup.guestDir().toString())
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                if (p.waitFor() != 0) throw new IllegalStateException("bare QEMU run failed:\n" + out);
                System.out.print("bare QEMU: " + out);
                Matcher m = Pattern.compile("BARE_QEMU_PASS_SECONDS=([0-9.]+)").matcher(out);
                if (!m.find()) throw new IllegalStateException("no BARE_QEMU_PASS_SECONDS in:\n" + out);
                bare.add((long) (Double.parseDouble(m.group(1)) * 1000));
            }
        }
        System.out.printf("%n### Orchestration overhead: `pass`, %d alternating pair(s)%n%n", runs);
        System.out.println("| path | p50 ms | runs (ms) |");
        System.out.println("| --- | ---: | --- |");
        System.out.printf("| vmtest cluster: POST /runs → API shows the verdict | %s | %s |%n", pct(cluster, 50), cluster);
        System.out.printf("| bare QEMU + dbclient (bare-qemu-pass.sh) | %s | %s |%n", pct(bare, 50), bare);
        System.out.printf("| ratio | %.2f | |%n", (double) pct(cluster, 50) / Math.max(1, pct(bare, 50)));
    }

    // ---------------------------------------------------------------- memory

    private void sampleIdle(String bench, ProcessCluster cluster) {
        pause(10_000);
        for (ServiceProcess s : services(cluster)) {
            memory.computeIfAbsent(bench + " " + s.name(), k -> new long[] {0, 0})[0] = s.rssKiB().orElse(-1);
        }
        memory.computeIfAbsent(bench + " broker", k -> new long[] {0, 0})[0] =
                org.vmtest.testing.cluster.ProcStatus.rssKiB(cluster.kafka().pid()).orElse(-1);
    }

    private void sampleLoad(String bench, ProcessCluster cluster) {
        for (ServiceProcess s : services(cluster)) {
            long[] m = memory.computeIfAbsent(bench + " " + s.name(), k -> new long[] {0, 0});
            m[1] = Math.max(m[1], s.rssKiB().orElse(0));
        }
        long[] b = memory.computeIfAbsent(bench + " broker", k -> new long[] {0, 0});
        b[1] = Math.max(b[1], org.vmtest.testing.cluster.ProcStatus.rssKiB(cluster.kafka().pid()).orElse(0));
        loadAverage().ifPresent(l -> loadAverages.computeIfAbsent(bench, k -> new ArrayList<>()).add(l));
    }

    /** The host's 1-minute load average (first field of /proc/loadavg), when it can be read. */
    private static java.util.Optional<Double> loadAverage() {
        try {
            return java.util.Optional.of(Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]));
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    private String loadSummary(String bench) {
        List<Double> l = new ArrayList<>(loadAverages.getOrDefault(bench, List.of()));
        if (l.isEmpty()) return "not available";
        Collections.sort(l);
        return String.format(java.util.Locale.ROOT, "min %.2f, median %.2f, max %.2f (%d samples; %d cores)", l.get(0),
                l.get(l.size() / 2), l.get(l.size() - 1), l.size(), Runtime.getRuntime().availableProcessors());
    }

    private void printMemory() {
        System.out.println("\n### Resident memory (VmRSS), MiB\n");
        System.out.println("| benchmark / service | idle (10 s after start) | peak under the benchmark's load |");
        System.out.println("| --- | ---: | ---: |");
        memory.forEach((k, v) -> System.out.printf("| %s | %d | %d |%n", k, v[0] / 1024, v[1] / 1024));
    }

    private static List<ServiceProcess> services(ProcessCluster cluster) {
        List<ServiceProcess> all = new ArrayList<>(List.of(cluster.coordinator()));
        all.addAll(cluster.analyzers());
        all.addAll(cluster.workers());
        return all;
    }

    // ---------------------------------------------------------------- helpers

    private JsonNode awaitDone(ProcessCluster cluster, String runId, Duration timeout, String bench) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            sampleLoad(bench, cluster);
            try {
                JsonNode run = cluster.api().run(runId);
                if ("DONE".equals(run.get("state").asText())) return run;
            } catch (UncheckedIOException | IllegalStateException e) {
                // ask again
            }
            pause(250);
        }
        throw new IllegalStateException("run " + runId + " not done within " + timeout + "\n" + cluster.diagnostics());
    }

    private static Map<String, Integer> verdictCounts(JsonNode run) {
        Map<String, Integer> counts = new HashMap<>();
        run.get("jobs").forEach(j -> counts.merge(j.get("verdict").asText(), 1, Integer::sum));
        return counts;
    }

    private static long logMillis(String stamp) {
        return LocalDateTime.parse(stamp, LOG_TIME).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
    }

    /** Nearest-rank percentile; p=0 is the minimum. */
    static Long pct(List<Long> values, int p) {
        if (values.isEmpty()) return null;
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
