package org.vmtest.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.protocol.control.CancelJob;
import org.vmtest.protocol.jobs.ArtifactSpec;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.protocol.jobs.SshSpec;
import org.vmtest.protocol.jobs.VmSpec;
import org.vmtest.testing.ArtifactServer;
import org.vmtest.worker.WorkerConfig;
import org.vmtest.worker.artifacts.ArtifactCache;
import org.vmtest.worker.artifacts.ArtifactCacheSettings;
import org.vmtest.worker.vm.AcceleratorProbe;
import org.vmtest.worker.vm.VmLauncher;
import org.vmtest.worker.vm.VmStartException;

/**
 * An abort or a worker shutdown while a job is still fetching its artifacts (no VM yet) ends the fetch at once,
 * against a real HTTP server that sends the disk far too slowly to finish within the test.
 */
class AbortDuringFetchTest {
    /** 4 MiB at 32 KiB/s: two minutes, far longer than the test waits. */
    private static final int DISK_BYTES = 4 << 20;
    private static final long SLOW = 32 << 10;
    private static final Duration AT_ONCE = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    private ArtifactServer server;
    private ArtifactCache cache;
    private ExecutorService jobThread;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private ArtifactSpec disk;

    @BeforeEach
    void slowServer() throws Exception {
        server = ArtifactServer.start();
        byte[] data = new byte[DISK_BYTES];
        new Random(7).nextBytes(data);
        Path file = Files.write(tmp.resolve("disk.img"), data);
        disk = new ArtifactSpec(server.serve("disk.img", file).toString(), ArtifactServer.sha256(file), null, Map.of(),
                null);
        server.throttle("disk.img", SLOW);
        cache = ArtifactCache.open(ArtifactCacheSettings.of(tmp.resolve("cache"), 64L << 20, 32L << 20, List.of()),
                new SimpleMeterRegistry());
        jobThread = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void stop() {
        jobThread.shutdownNow();
        cache.close();
        server.close();
    }

    private LibvirtGuestSession session() throws Exception {
        Profile profile = new Profile("p", "", new VmSpec(256, 1, "vmlinuz", null, "console=ttyS0", null,
                "artifact:disk", null, null, null), new SshSpec(null, 0, SshSpec.KeyDelivery.NONE, null, null),
                List.of(), false, List.of(), Map.of(), Map.of(), 1, List.of());
        Path images = Files.createDirectories(tmp.resolve("images"));
        VmLauncher launcher = new VmLauncher(null, "w1", images, tmp.resolve("work"), cache);
        return new LibvirtGuestSession(launcher, profile, "vmtest-w1-job-a1", new AcceleratorProbe.Result(null, "test"),
                null, WorkerConfig.SshSettings.DEFAULT, null, null, null, "job", Map.of("disk", disk), lines::add);
    }

    private static AbortHandle handle(GuestSession guest) {
        return new AbortHandle("job", "vmtest-w1-job-a1", guest, InstantSource.system(), (stopped, gone) -> { });
    }

    /** Powers on as the job thread does; the answer says how it ended and whether the thread was left interrupted. */
    private Future<String> powerOn(LibvirtGuestSession guest) {
        return jobThread.submit(() -> {
            try {
                return "started: " + guest.powerOn();
            } catch (VmStartException e) {
                return e.getMessage() + (Thread.currentThread().isInterrupted() ? " [interrupted]" : "");
            }
        });
    }

    private void awaitDownloadUnderWay() {
        await("the disk's download under way").atMost(Duration.ofSeconds(20))
                .until(() -> server.requests("disk.img") == 1 && lines.stream().anyMatch(l -> l.startsWith("fetching")));
    }

    @Test
    void anAbortWhileTheDiskIsDownloadingEndsThePowerOnAtOnce() throws Exception {
        LibvirtGuestSession guest = session();
        AbortHandle handle = handle(guest);
        Future<String> started = powerOn(guest);
        awaitDownloadUnderWay();

        handle.abort(new CancelJob("job", "run", Instant.now(), "cancelled by the user"), System.currentTimeMillis());

        assertThat(started.get(AT_ONCE.toSeconds(), TimeUnit.SECONDS))
                .as("the job thread is free, and not left interrupted")
                .isEqualTo("stopped while fetching the job's artifacts");
        assertThat(handle.aborted()).isTrue();
        assertThat(guest.poweredOn()).isFalse();
        assertThat(guest.artifactFetchMillis()).as("the fetch's time until the stop").isPositive();
        assertThat(cache.heldBytes()).as("nothing half-fetched is kept").isZero();
    }

    @Test
    void aReleaseWhileTheDiskIsDownloadingEndsThePowerOnAtOnce() throws Exception {
        LibvirtGuestSession guest = session();
        AbortHandle handle = handle(guest);
        Future<String> started = powerOn(guest);
        awaitDownloadUnderWay();

        handle.release();

        assertThat(started.get(AT_ONCE.toSeconds(), TimeUnit.SECONDS))
                .isEqualTo("stopped while fetching the job's artifacts");
        assertThat(handle.released()).isTrue();
    }

    @Test
    void aStopBeforeThePowerOnBeginsFetchesNothing() throws Exception {
        LibvirtGuestSession guest = session();
        handle(guest).release();

        assertThat(powerOn(guest).get(AT_ONCE.toSeconds(), TimeUnit.SECONDS))
                .isEqualTo("stopped while fetching the job's artifacts");
        assertThat(server.requests("disk.img")).isZero();
    }

    @Test
    void theDownloadIsCancelledSoTheNextJobStartsItAfresh() throws Exception {
        LibvirtGuestSession first = session();
        Future<String> started = powerOn(first);
        awaitDownloadUnderWay();
        handle(first).release();
        started.get(AT_ONCE.toSeconds(), TimeUnit.SECONDS);

        server.throttle("disk.img", Long.MAX_VALUE / 2);
        try (var fetched = cache.fetch(Map.of("disk", disk), lines::add, Duration.ofMinutes(1))) {
            assertThat(fetched.path("disk")).isRegularFile();
        }
        assertThat(server.requests("disk.img")).as("a new request, not a wait on the stopped download").isEqualTo(2);
    }
}
