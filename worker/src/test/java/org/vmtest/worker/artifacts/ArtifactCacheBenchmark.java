package org.vmtest.worker.artifacts;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.vmtest.protocol.jobs.ArtifactSpec;
import org.vmtest.testing.ArtifactServer;

/**
 * The two figures of docs/BENCHMARKS.md for the artifact cache: a cold fetch of a large artifact over loopback
 * (downloaded, hashed while it arrives, renamed into place), and what a cached artifact adds to a job (the lookup,
 * the size check, the lease and its release). Run:
 * {@code java -cp ... org.vmtest.worker.artifacts.ArtifactCacheBenchmark [MIB] [ROUNDS] [HITS] [DIR]}.
 */
public final class ArtifactCacheBenchmark {
    private static final long MIB = 1 << 20;

    private ArtifactCacheBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 1024;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int hits = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        Path dir = Files.createDirectories(Path.of(args.length > 3 ? args[3] : "/tmp/vmtest-artifact-bench"));
        Path file = dir.resolve("artifact-" + mib + "m.img");
        if (!Files.isRegularFile(file) || Files.size(file) != mib * MIB) write(file, mib * MIB);
        String sha256 = ArtifactServer.sha256(file);
        System.out.printf("artifact: %d MiB of random bytes, sha256 %s; load average %s%n", mib, sha256, load());
        try (ArtifactServer server = ArtifactServer.start()) {
            ArtifactSpec spec = new ArtifactSpec(server.serve("artifact.img", file).toString(), sha256, mib * MIB,
                    Map.of(), null);
            for (int r = 1; r <= rounds; r++) {
                Path cacheDir = dir.resolve("cache");
                delete(cacheDir);
                try (ArtifactCache cache = open(cacheDir, mib)) {
                    long t0 = System.nanoTime();
                    cache.fetch(Map.of("disk", spec), line -> { }, Duration.ofMinutes(10)).close();
                    double s = (System.nanoTime() - t0) / 1e9;
                    System.out.printf("cold fetch %d: %d MiB in %.2f s = %.0f MiB/s (hash checked, renamed into place); "
                            + "load average %s%n", r, mib, s, mib / s, load());
                }
            }
            try (ArtifactCache cache = open(dir.resolve("cache"), mib)) {
                long[] nanos = new long[hits];
                for (int i = 0; i < hits + 200; i++) {
                    long t0 = System.nanoTime();
                    JobArtifacts got = cache.fetch(Map.of("kernel", spec, "disk", spec), line -> { },
                            Duration.ofSeconds(10));
                    got.close();
                    if (i >= 200) nanos[i - 200] = System.nanoTime() - t0;
                }
                Arrays.sort(nanos);
                System.out.printf("cache hit (two artifacts of a job: lookup, size check, touch, lease, release), %d"
                                + " times after 200 warm-up: median %.0f µs, p99 %.0f µs, max %.0f µs; server requests %d;"
                                + " load average %s%n", hits, nanos[hits / 2] / 1e3, nanos[hits * 99 / 100] / 1e3,
                        nanos[hits - 1] / 1e3, server.requests("artifact.img"), load());
            }
        }
    }

    private static ArtifactCache open(Path cacheDir, long mib) {
        return ArtifactCache.open(ArtifactCacheSettings.of(cacheDir, 4 * mib * MIB, 2 * mib * MIB, List.of()),
                new SimpleMeterRegistry());
    }

    private static void write(Path file, long size) throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        byte[] buf = new byte[(int) MIB];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long done = 0; done < size; done += buf.length) {
                for (int i = 0; i < buf.length; i += 8) {
                    long v = random.nextLong();
                    for (int b = 0; b < 8; b++) buf[i + b] = (byte) (v >>> (8 * b));
                }
                out.write(buf);
            }
        }
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    private static String load() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    }
}
