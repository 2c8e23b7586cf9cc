package org.vmtest.worker.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.protocol.jobs.ArtifactSpec;
import org.vmtest.testing.ArtifactServer;
import org.vmtest.worker.artifacts.ArtifactException.Problem;

/** The cache against a real HTTP server on loopback: what it downloads, verifies, shares, keeps and refuses. */
class ArtifactCacheTest {
    private static final long MIB = 1 << 20;
    private static final Duration MINUTE = Duration.ofMinutes(1);

    @TempDir
    Path tmp;

    private ArtifactServer server;
    private SimpleMeterRegistry registry;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private ArtifactCache cache;

    @BeforeEach
    void startServer() {
        server = ArtifactServer.start();
        registry = new SimpleMeterRegistry();
    }

    @AfterEach
    void stop() {
        if (cache != null) cache.close();
        server.close();
    }

    private ArtifactCache open(long maxBytes, long maxArtifactBytes, List<String> hosts) {
        cache = ArtifactCache.open(new ArtifactCacheSettings(tmp.resolve("cache"), maxBytes, maxArtifactBytes, hosts,
                Duration.ofMillis(500), 2, Duration.ofMillis(50)), registry);
        return cache;
    }

    private ArtifactCache open() {
        return open(100 * MIB, 50 * MIB, List.of());
    }

    private Path file(String name, long size, long seed) throws Exception {
        byte[] data = new byte[(int) size];
        new Random(seed).nextBytes(data);
        return Files.write(tmp.resolve(name), data);
    }

    private ArtifactSpec served(String name, Path file) {
        return new ArtifactSpec(server.serve(name, file).toString(), ArtifactServer.sha256(file), null, Map.of(), null);
    }

    private JobArtifacts fetch(String name, ArtifactSpec spec) throws Exception {
        return cache.fetch(Map.of(name, spec), lines::add, MINUTE);
    }

    private double counter(String name) {
        return registry.get(name).counter().count();
    }

    private List<String> cacheFiles() throws Exception {
        try (var s = Files.list(tmp.resolve("cache"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".lock")).sorted().toList();
        }
    }

    @Test
    void aVerifiedDownloadIsNamedByItsSha256AndTheNextRequestIsAHit() throws Exception {
        open();
        Path disk = file("disk.img", 3 * MIB, 1);
        ArtifactSpec spec = served("disk.img", disk);
        try (JobArtifacts got = fetch("disk", spec)) {
            assertThat(got.path("disk").getFileName().toString()).isEqualTo(spec.sha256());
            assertThat(Files.mismatch(got.path("disk"), disk)).isEqualTo(-1);
        }
        try (JobArtifacts again = fetch("disk", spec)) {
            assertThat(Files.mismatch(again.path("disk"), disk)).isEqualTo(-1);
        }
        assertThat(server.requests("disk.img")).isEqualTo(1);
        assertThat(lines).anyMatch(l -> l.startsWith("artifact disk: fetched 3.0 MiB") || l.startsWith("artifact disk: fetched 3 MiB"))
                .anyMatch(l -> l.contains("sha256 verified"))
                .anyMatch(l -> l.startsWith("artifact disk: in the cache (3 MiB"));
        assertThat(counter("vmtest_worker_artifact_cache_misses")).isEqualTo(1);
        assertThat(counter("vmtest_worker_artifact_cache_hits")).isEqualTo(1);
        assertThat(counter("vmtest_worker_artifact_fetched_bytes")).isEqualTo(3 * MIB);
        assertThat(registry.get("vmtest_worker_artifact_cache_held_bytes").gauge().value()).isEqualTo(3 * MIB);
        assertThat(cacheFiles()).containsExactly(spec.sha256());
    }

    @Test
    void aWrongSha256IsAnErrorNamingTheArtifactAndLeavesNothingBehind() throws Exception {
        open();
        Path disk = file("disk.img", MIB, 2);
        ArtifactSpec right = served("disk.img", disk);
        ArtifactSpec wrong = new ArtifactSpec(right.url(), "0".repeat(64), null, Map.of(), null);
        assertThatThrownBy(() -> fetch("disk", wrong))
                .isInstanceOfSatisfying(ArtifactException.class, e -> {
                    assertThat(e.problem()).isEqualTo(Problem.CHECKSUM_MISMATCH);
                    assertThat(e.mayRetryElsewhere()).isFalse();
                })
                .hasMessageStartingWith("artifact disk: sha256 mismatch: expected " + "0".repeat(64))
                .hasMessageContaining("sha256 " + right.sha256());
        assertThat(server.requests("disk.img")).as("a wrong checksum is not tried again").isEqualTo(1);
        assertThat(cacheFiles()).isEmpty();
        assertThat(registry.get("vmtest_worker_artifact_fetch_failures").tag("problem", "CHECKSUM_MISMATCH")
                .counter().count()).isEqualTo(1);
    }

    @Test
    void notFoundIsAnHttpErrorAndIsNotRetried() throws Exception {
        open();
        ArtifactSpec missing = new ArtifactSpec(server.url("nothing.img").toString(), "a".repeat(64), null,
                Map.of("Authorization", "Bearer s3cret-token"), null);
        assertThatThrownBy(() -> fetch("disk", missing))
                .isInstanceOf(ArtifactException.class)
                .hasMessage("artifact disk: HTTP 404 from " + server.url("nothing.img"))
                .hasMessageNotContaining("s3cret");
        assertThat(server.requests("nothing.img")).isEqualTo(1);
        assertThat(server.lastHeaders("nothing.img").getFirst("Authorization")).isEqualTo("Bearer s3cret-token");
    }

    @Test
    void aServerErrorIsRetriedWithBackoff() throws Exception {
        open();
        Path disk = file("disk.img", MIB, 3);
        ArtifactSpec spec = served("disk.img", disk);
        server.failWith("disk.img", 503, 2);
        try (JobArtifacts got = fetch("disk", spec)) {
            assertThat(Files.mismatch(got.path("disk"), disk)).isEqualTo(-1);
        }
        assertThat(server.requests("disk.img")).isEqualTo(3);
    }

    @Test
    void aTruncatedResponseIsResumedFromWhereItStopped() throws Exception {
        open();
        Path disk = file("disk.img", 4 * MIB, 4);
        ArtifactSpec spec = served("disk.img", disk);
        server.truncate("disk.img", 1_500_000, 1);
        try (JobArtifacts got = fetch("disk", spec)) {
            assertThat(Files.mismatch(got.path("disk"), disk)).isEqualTo(-1);
        }
        assertThat(server.requests("disk.img")).isEqualTo(2);
        assertThat(server.lastHeaders("disk.img").getFirst("Range")).isEqualTo("bytes=1500000-");
        assertThat(counter("vmtest_worker_artifact_fetched_bytes")).as("the first part is not fetched twice")
                .isEqualTo(4 * MIB);
    }

    @Test
    void anAnnouncedSizeOverTheCapIsRefusedBeforeTheBody() throws Exception {
        open(100 * MIB, 2 * MIB, List.of());
        ArtifactSpec spec = served("big.img", file("big.img", 3 * MIB, 5));
        assertThatThrownBy(() -> fetch("big", spec))
                .isInstanceOfSatisfying(ArtifactException.class, e -> assertThat(e.problem()).isEqualTo(Problem.TOO_LARGE))
                .hasMessage("artifact big: the server announces " + 3 * MIB + " bytes, more than maxArtifactBytes ("
                        + 2 * MIB + ")");
        assertThat(counter("vmtest_worker_artifact_fetched_bytes")).isZero();
        assertThat(cacheFiles()).isEmpty();
    }

    @Test
    void aBodyWithoutLengthIsCutAsSoonAsItPassesTheCap() throws Exception {
        open(100 * MIB, 2 * MIB, List.of());
        ArtifactSpec spec = served("big.img", file("big.img", 8 * MIB, 6));
        server.withoutLength("big.img");
        assertThatThrownBy(() -> fetch("big", spec))
                .isInstanceOf(ArtifactException.class)
                .hasMessage("artifact big: more than maxArtifactBytes (" + 2 * MIB + " bytes) downloaded; cut off");
        assertThat(counter("vmtest_worker_artifact_fetched_bytes")).isLessThanOrEqualTo(2 * MIB);
        assertThat(cacheFiles()).isEmpty();
    }

    @Test
    void twoJobsNeedingOneArtifactAtOnceShareOneDownload() throws Exception {
        open();
        Path disk = file("disk.img", 2 * MIB, 7);
        ArtifactSpec spec = served("disk.img", disk);
        server.throttle("disk.img", 2 * MIB);
        ExecutorService jobs = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Path>> paths = List.of(0, 1).stream().map(i -> jobs.submit(() -> {
                start.await();
                try (JobArtifacts got = cache.fetch(Map.of(i == 0 ? "disk" : "image", spec), lines::add, MINUTE)) {
                    return got.path(i == 0 ? "disk" : "image");
                }
            })).toList();
            start.countDown();
            assertThat(paths.get(0).get()).isEqualTo(paths.get(1).get());
            assertThat(Files.mismatch(paths.get(0).get(), disk)).isEqualTo(-1);
        } finally {
            jobs.shutdownNow();
        }
        assertThat(server.requests("disk.img")).isEqualTo(1);
        assertThat(lines).as("each job hears about the download under its own name")
                .anyMatch(l -> l.startsWith("artifact disk: fetched"))
                .anyMatch(l -> l.startsWith("artifact image: fetched"));
    }

    @Test
    void progressGoesToTheJobAboutOnceASecond() throws Exception {
        open();
        ArtifactSpec spec = served("disk.img", file("disk.img", 3 * MIB, 8));
        server.throttle("disk.img", MIB);
        long t0 = System.nanoTime();
        fetch("disk", spec).close();
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        List<String> progress = lines.stream().filter(l -> l.matches(
                "fetching artifact disk: \\d+ (B|KiB|MiB) of 3 MiB, \\d+ (B|KiB|MiB)/s")).toList();
        assertThat(progress).isNotEmpty().hasSizeLessThanOrEqualTo((int) seconds + 1);
    }

    @Test
    void leastRecentlyUsedEntriesGoFirstButAnEntryInUseStays() throws Exception {
        open(5 * MIB, 2 * MIB, List.of());
        ArtifactSpec a = served("a.img", file("a.img", 2 * MIB, 10));
        ArtifactSpec b = served("b.img", file("b.img", 2 * MIB, 11));
        ArtifactSpec c = served("c.img", file("c.img", 2 * MIB, 12));
        try (JobArtifacts running = fetch("a", a)) {
            fetch("b", b).close();
            fetch("c", c).close();
            // a is the oldest, but a job runs on it: b goes
            assertThat(cacheFiles()).containsExactlyInAnyOrder(a.sha256(), c.sha256());
            assertThat(Files.exists(running.path("a"))).isTrue();
        }
        assertThat(counter("vmtest_worker_artifact_cache_evictions")).isEqualTo(1);
        fetch("b", b).close();
        // a was in use until its job ended, after c's: c is now the least recently used
        assertThat(cacheFiles()).containsExactlyInAnyOrder(a.sha256(), b.sha256());
        assertThat(server.requests("b.img")).isEqualTo(2);
        assertThat(registry.get("vmtest_worker_artifact_cache_held_bytes").gauge().value()).isEqualTo(4 * MIB);
    }

    @Test
    void gzipXzAndZstdArtifactsAreUnpackedIntoTheCache() throws Exception {
        open();
        byte[] plain = new byte[(int) (2 * MIB)];
        new Random(20).nextBytes(plain);
        for (int i = 0; i < plain.length / 2; i++) plain[i] = (byte) (i % 7);
        Path original = Files.write(tmp.resolve("disk.raw"), plain);
        for (String suffix : List.of("gz", "xz", "zst")) {
            Path packed = tmp.resolve("disk.raw." + suffix);
            try (OutputStream out = compressor(suffix, Files.newOutputStream(packed))) {
                out.write(plain);
            }
            ArtifactSpec spec = served("disk.raw." + suffix, packed);
            try (JobArtifacts got = fetch("disk", spec)) {
                assertThat(got.path("disk").getFileName().toString()).isEqualTo(spec.sha256() + ".unpacked");
                assertThat(Files.mismatch(got.path("disk"), original)).as(suffix).isEqualTo(-1);
            }
            assertThat(cacheFiles()).as("the download itself is not kept").contains(spec.sha256() + ".unpacked")
                    .doesNotContain(spec.sha256());
        }
        assertThat(lines).anyMatch(l -> l.startsWith("artifact disk: unpacked zstd to 2 MiB"));
    }

    @Test
    void theCompressionFieldWinsOverTheSuffixAndAnUnpackBombStopsAtTheCap() throws Exception {
        open(100 * MIB, 2 * MIB, List.of());
        Path bomb = tmp.resolve("zeros");
        try (OutputStream out = compressor("zst", Files.newOutputStream(bomb))) {
            out.write(new byte[(int) (6 * MIB)]);
        }
        ArtifactSpec spec = new ArtifactSpec(server.serve("zeros", bomb).toString(), ArtifactServer.sha256(bomb), null,
                Map.of(), ArtifactSpec.Compression.ZSTD);
        assertThatThrownBy(() -> fetch("disk", spec))
                .isInstanceOfSatisfying(ArtifactException.class, e -> assertThat(e.problem()).isEqualTo(Problem.TOO_LARGE))
                .hasMessage("artifact disk: unpacks to more than maxArtifactBytes (" + 2 * MIB + " bytes); cut off");
        assertThat(cacheFiles()).isEmpty();
    }

    @Test
    void aHostNotAllowedIsNeverContacted() throws Exception {
        open(100 * MIB, 50 * MIB, List.of("ci.example.com", "*.artifacts.example.org"));
        ArtifactSpec spec = served("disk.img", file("disk.img", MIB, 30));
        assertThatThrownBy(() -> fetch("disk", spec))
                .isInstanceOfSatisfying(ArtifactException.class,
                        e -> assertThat(e.problem()).isEqualTo(Problem.HOST_NOT_ALLOWED))
                .hasMessage("artifact disk: host 127.0.0.1 is not in this worker's artifactHosts [ci.example.com,"
                        + " *.artifacts.example.org]");
        assertThat(server.requests("disk.img")).isZero();
    }

    @Test
    void aRedirectIsFollowedWithoutTheHeadersAndOnlyToAnAllowedHost() throws Exception {
        Path disk = file("disk.img", MIB, 31);
        try (ArtifactServer store = ArtifactServer.start()) {
            // the same loopback server under another host name: another host as far as headers and the list go
            URI elsewhere = URI.create(store.serve("disk.img", disk).toString().replace("127.0.0.1", "localhost"));
            ArtifactSpec spec = new ArtifactSpec(server.redirect("disk.img", elsewhere).toString(),
                    ArtifactServer.sha256(disk), null, Map.of("Authorization", "Bearer s3cret-token"), null);
            open(100 * MIB, 50 * MIB, List.of("127.0.0.1"));
            assertThatThrownBy(() -> fetch("disk", spec))
                    .isInstanceOfSatisfying(ArtifactException.class,
                            e -> assertThat(e.problem()).isEqualTo(Problem.HOST_NOT_ALLOWED))
                    .hasMessage("artifact disk: host localhost is not in this worker's artifactHosts [127.0.0.1]");
            assertThat(store.requests("disk.img")).isZero();
            cache.close();

            open();
            try (JobArtifacts got = fetch("disk", spec)) {
                assertThat(Files.mismatch(got.path("disk"), disk)).isEqualTo(-1);
            }
            assertThat(server.lastHeaders("disk.img").getFirst("Authorization")).isEqualTo("Bearer s3cret-token");
            assertThat(store.lastHeaders("disk.img").containsKey("Authorization")).as("no token for another host")
                    .isFalse();
        }
    }

    @Test
    void aStalledServerIsCutAndTheDownloadGivesUpAfterItsRetries() throws Exception {
        open();
        ArtifactSpec spec = served("disk.img", file("disk.img", MIB, 40));
        server.stall("disk.img", 1000);
        assertThatThrownBy(() -> fetch("disk", spec))
                .isInstanceOfSatisfying(ArtifactException.class, e -> assertThat(e.problem()).isEqualTo(Problem.TRANSFER))
                .hasMessageStartingWith("artifact disk: no data for 0.5 s from " + server.url("disk.img"))
                .hasMessageEndingWith("(gave up after 3 attempts)");
        assertThat(server.requests("disk.img")).isEqualTo(3);
    }

    @Test
    void aJobThatRunsOutOfTimeGetsATimeoutNamingTheArtifact() throws Exception {
        open();
        ArtifactSpec spec = served("disk.img", file("disk.img", 4 * MIB, 50));
        server.throttle("disk.img", MIB);
        assertThatThrownBy(() -> cache.fetch(Map.of("disk", spec), lines::add, Duration.ofMillis(1500)))
                .isInstanceOfSatisfying(ArtifactException.class, e -> assertThat(e.problem()).isEqualTo(Problem.TIMEOUT))
                .hasMessageStartingWith("artifact disk: not fetched within the provisioning time (")
                .hasMessageEndingWith(" of 4 MiB so far)");
    }

    @Test
    void aRestartedCacheKeepsItsVerifiedFilesAndDropsPartFiles() throws Exception {
        open();
        ArtifactSpec spec = served("disk.img", file("disk.img", MIB, 60));
        fetch("disk", spec).close();
        cache.close();
        Files.writeString(tmp.resolve("cache").resolve(spec.sha256() + ".1234.part"), "half a download");
        open();
        try (JobArtifacts got = fetch("disk", spec)) {
            assertThat(got.path("disk")).exists();
        }
        assertThat(server.requests("disk.img")).isEqualTo(1);
        assertThat(cacheFiles()).containsExactly(spec.sha256());
    }

    @Test
    void aSecondWorkerOnTheSameDirectoryIsRefused() {
        open();
        assertThatThrownBy(() -> ArtifactCache.open(ArtifactCacheSettings.of(tmp.resolve("cache"), MIB, MIB, List.of()),
                new SimpleMeterRegistry()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is in use by another worker");
    }

    private static OutputStream compressor(String suffix, OutputStream out) throws Exception {
        return switch (suffix) {
            case "gz" -> new GzipCompressorOutputStream(out);
            case "xz" -> new XZCompressorOutputStream(out);
            case "zst" -> new ZstdCompressorOutputStream(out);
            default -> throw new IllegalArgumentException(suffix);
        };
    }
}
