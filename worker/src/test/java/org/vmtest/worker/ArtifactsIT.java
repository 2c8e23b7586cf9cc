package org.vmtest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.jobs.ArtifactSpec;
import org.vmtest.protocol.jobs.JobMessage;
import org.vmtest.protocol.jobs.JobRequested;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.protocol.jobs.VmSpec;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.Line;
import org.vmtest.testing.ArtifactServer;
import org.vmtest.testing.KafkaClusterExtension;
import org.vmtest.worker.jobs.ShareGroupSetup;

/**
 * Jobs whose profile boots the test guest from artifacts a local HTTP server hands out, as a CI's artifact store
 * would: the kernel as it is, the initrd gzipped, the disk zstd-compressed. Two jobs at once fetch each file once;
 * a wrong sha256 and a missing file end their jobs ERROR, naming the artifact, without a VM.
 */
class ArtifactsIT {
    private static final JsonSerde<JobMessage> JOBS = JsonSerde.of(JobMessage.class);

    @RegisterExtension
    static final KafkaClusterExtension kafka = new KafkaClusterExtension();

    @TempDir
    Path tmp;

    private KafkaSettings settings;
    private StreamWatcher stream;
    private ArtifactServer server;
    private Map<String, ArtifactSpec> artifacts;

    @BeforeEach
    void serveTheGuest() throws Exception {
        settings = kafka.settings().withTopicPrefix("t" + UUID.randomUUID().toString().substring(0, 8));
        kafka.createTopics(settings);
        ShareGroupSetup.apply(settings, Map.of());
        stream = new StreamWatcher(settings);
        server = ArtifactServer.start();
        Path guest = TestGuest.dir();
        Path initrd = compress(guest.resolve("initrd.img"), tmp.resolve("initrd.img.gz"));
        Path disk = compress(guest.resolve("base.qcow2"), tmp.resolve("base.qcow2.zst"));
        artifacts = Map.of(
                "kernel", spec(server.serve("vmlinuz", guest.resolve("vmlinuz")).toString(), guest.resolve("vmlinuz")),
                "initrd", spec(server.serve("initrd.img.gz", initrd).toString(), initrd),
                "disk", spec(server.serve("base.qcow2.zst", disk).toString(), disk));
        // slow enough that the second job asks while the first still fetches, and that progress lines go out
        server.throttle("vmlinuz", 2L << 20);
    }

    @AfterEach
    void stop() throws Exception {
        stream.close();
        server.close();
    }

    private static ArtifactSpec spec(String url, Path file) {
        return new ArtifactSpec(url, ArtifactServer.sha256(file), null, Map.of(), null);
    }

    private static Path compress(Path from, Path to) throws Exception {
        try (OutputStream out = to.toString().endsWith(".gz") ? new GzipCompressorOutputStream(Files.newOutputStream(to))
                : new ZstdCompressorOutputStream(Files.newOutputStream(to))) {
            Files.copy(from, out);
        }
        return to;
    }

    /** The scenario profile with every image taken from the run's artifacts. */
    private static Profile fromArtifacts(Profile p) {
        VmSpec vm = p.vm();
        return new Profile(p.name(), p.description(), new VmSpec(vm.memoryMiB(), vm.vcpus(), "artifact:kernel",
                "artifact:initrd", vm.cmdline(), null, "artifact:disk", vm.firmware(), vm.accelerator(), vm.network()),
                p.ssh(), p.install(), p.reboot(), p.tests(), p.phaseTimeouts(), p.stallLimits(), p.attemptLimit(),
                p.patterns());
    }

    private static JobRequested job(Profile profile, Map<String, ArtifactSpec> artifacts) {
        String id = profile.name() + "-" + UUID.randomUUID().toString().substring(0, 8);
        return new JobRequested(id, "run-" + id, profile, Map.of(), Instant.now(), artifacts);
    }

    private void submit(List<JobRequested> jobs) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings.producer("test-producer"))) {
            for (JobRequested j : jobs) {
                producer.send(new ProducerRecord<>(settings.topics().jobs(), j.jobId(), JOBS.encode(j))).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private WorkerConfig config(String id) {
        return WorkerConfig.defaults(settings).withWorkerId(id).withSlots(2)
                .withDirs(TestGuest.dir(), tmp.resolve("work")).withIntervals(Duration.ofSeconds(2), Duration.ofSeconds(3))
                .withArtifactCache(null, 0, 0, List.of("127.0.0.1"));
    }

    private void awaitFinished(List<JobRequested> jobs, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                assertThat(jobs).allMatch(j -> stream.finished(j.jobId()) != null));
    }

    private List<String> workerLines(JobRequested job) {
        return stream.of(job.jobId(), Line.class, l -> l.source() == LineSource.WORKER).stream().map(Line::text).toList();
    }

    @Test
    void twoJobsBootTheGuestFromArtifactsFetchingEachFileOnce() throws Exception {
        JobRequested full = job(fromArtifacts(TestGuest.profile("pass")), artifacts);
        JobRequested installOnly = job(fromArtifacts(TestGuest.installOnly(TestGuest.profile("pass"))), artifacts);
        submit(List.of(full, installOnly));
        try (Worker worker = Worker.start(config("artif"))) {
            awaitFinished(List.of(full, installOnly), Duration.ofMinutes(8));
            assertThat(worker.metrics().registry().get("vmtest_worker_artifact_fetched_bytes").counter().count())
                    .isEqualTo(artifacts.values().stream().mapToLong(a -> sizeOf(a)).sum());
            assertThat(worker.metrics().registry().get("vmtest_worker_artifact_cache_held_bytes").gauge().value())
                    .isGreaterThan(0);
        }
        for (JobRequested j : List.of(full, installOnly)) {
            JobFinished f = stream.finished(j.jobId());
            assertThat(f.outcome()).as(j.jobId() + ": " + f.reason()).isEqualTo(Verdict.PASSED);
            assertThat(f.artifactFetchMillis()).isLessThanOrEqualTo(f.phaseMillis().get(Phase.PROVISIONING));
        }
        // the kernel alone takes ~4 s at the server's pace; a job that found everything cached would be at ~0
        assertThat(Math.max(stream.finished(full.jobId()).artifactFetchMillis(),
                stream.finished(installOnly.jobId()).artifactFetchMillis())).isGreaterThan(1000);
        for (String file : List.of("vmlinuz", "initrd.img.gz", "base.qcow2.zst")) {
            assertThat(server.requests(file)).as(file + " fetched once for both jobs").isEqualTo(1);
        }
        assertThat(workerLines(full))
                .anyMatch(l -> l.matches("fetching artifact kernel: \\d+ (KiB|MiB) of 7 MiB, \\d+ (KiB|MiB)/s"))
                .anyMatch(l -> l.startsWith("artifact disk: unpacked zstd to "))
                .anyMatch(l -> l.startsWith("artifact initrd: fetched ") && l.endsWith("sha256 verified"));
    }

    @Test
    void aWrongSha256OrAMissingFileEndsTheJobAsErrorNamingTheArtifactWithoutAVm() throws Exception {
        Profile profile = fromArtifacts(TestGuest.profile("pass"));
        ArtifactSpec kernel = artifacts.get("kernel");
        ArtifactSpec wrongKernel = new ArtifactSpec(kernel.url(), "f".repeat(64), null, Map.of(), null);
        ArtifactSpec missingDisk = new ArtifactSpec(server.url("gone.qcow2").toString(), "e".repeat(64), null,
                Map.of(), null);
        JobRequested wrong = job(profile, Map.of("kernel", wrongKernel, "initrd", artifacts.get("initrd"),
                "disk", artifacts.get("disk")));
        JobRequested missing = job(profile, Map.of("kernel", kernel, "initrd", artifacts.get("initrd"),
                "disk", missingDisk));
        submit(List.of(wrong, missing));
        try (Worker worker = Worker.start(config("artbad"))) {
            awaitFinished(List.of(wrong, missing), Duration.ofMinutes(3));
        }
        JobFinished w = stream.finished(wrong.jobId());
        assertThat(w.outcome()).isEqualTo(Verdict.ERROR);
        assertThat(w.reason()).startsWith("VM could not start: artifact kernel: sha256 mismatch: expected "
                + "f".repeat(64)).contains("with sha256 " + kernel.sha256());
        JobFinished m = stream.finished(missing.jobId());
        assertThat(m.outcome()).isEqualTo(Verdict.ERROR);
        assertThat(m.reason()).isEqualTo("VM could not start: artifact disk: HTTP 404 from " + server.url("gone.qcow2"));
        for (JobRequested j : List.of(wrong, missing)) {
            assertThat(stream.finished(j.jobId()).attempt()).as("not tried again").isEqualTo(1);
            assertThat(stream.of(j.jobId(), Line.class)).as("no VM for " + j.jobId())
                    .noneMatch(l -> l.source() == LineSource.CONSOLE)
                    .noneMatch(l -> l.source() == LineSource.WORKER && l.text().startsWith("domain "));
        }
    }

    private long sizeOf(ArtifactSpec a) {
        String name = a.url().substring(a.url().lastIndexOf('/') + 1);
        try {
            return Files.size(name.equals("vmlinuz") ? TestGuest.dir().resolve(name) : tmp.resolve(name));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
