package org.vmtest.worker.artifacts;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.protocol.jobs.ArtifactSpec;
import org.vmtest.protocol.jobs.ArtifactSpec.Compression;
import org.vmtest.worker.artifacts.ArtifactException.Problem;

/**
 * The worker's content-addressed artifact cache. A verified file is named by the sha256 of what was downloaded
 * ({@code <sha256>}; unpacked from gzip/xz/zstd: {@code <sha256>.unpacked}); a download goes to a temporary
 * {@code .part} name, is hashed while it arrives, and is renamed into place only once its sha256 (and size) match,
 * so a partial or unverified file is never used. Slots that need the same artifact at once share one download.
 *
 * <pre>{@code
 * try (ArtifactCache cache = ArtifactCache.open(settings, registry);
 *      JobArtifacts got = cache.fetch(Map.of("disk", spec), stream::worker, Duration.ofMinutes(10))) {
 *     Path disk = got.path("disk");   // verified; not evicted until got is closed
 * }
 * }</pre>
 */
public final class ArtifactCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ArtifactCache.class);
    private static final Pattern KEY = Pattern.compile("[0-9a-f]{64}(\\.unpacked)?");
    private static final String UNPACKED = ".unpacked";
    private static final long PROGRESS_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    static {
        // The JDK's HTTP client reads a body in 16 KiB buffers by default, each one a hand-over to the subscriber;
        // with 256 KiB a 1 GiB download over loopback went from ~180 to ~260-330 MiB/s here (docs/BENCHMARKS.md).
        // Read once, when the client's classes load: before the first HttpClient of this JVM.
        if (System.getProperty("jdk.httpclient.bufsize") == null) System.setProperty("jdk.httpclient.bufsize", "262144");
    }

    private final ArtifactCacheSettings settings;
    private final HostAllowList hosts;
    private final HttpClient client;
    private final ExecutorService downloads;
    private final ArtifactMetrics metrics;
    private final CacheEntries entries;
    private final Map<String, InFlight> inFlight = new HashMap<>();
    private final FileChannel lockChannel;
    private final FileLock lock;

    private ArtifactCache(ArtifactCacheSettings settings, MeterRegistry registry, FileChannel lockChannel, FileLock lock) {
        this.settings = settings;
        this.hosts = new HostAllowList(settings.hosts());
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.downloads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "artifact-fetch");
            t.setDaemon(true);
            return t;
        });
        this.client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(settings.stallTimeout()).build();
        this.metrics = new ArtifactMetrics(registry, this::heldBytes);
        this.entries = new CacheEntries(settings.maxBytes(), metrics::evicted);
    }

    /**
     * Opens the cache in {@code settings.dir()}: takes the directory for this process (a second worker on the same
     * directory is refused), removes part files an earlier run left, and takes the verified files as they are.
     */
    public static ArtifactCache open(ArtifactCacheSettings settings, MeterRegistry registry) {
        Path dir = settings.dir();
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new IllegalStateException("cacheDir " + dir + " is in use by another worker: give each its own");
            }
            ArtifactCache cache = new ArtifactCache(settings, registry, channel, lock);
            cache.load();
            return cache;
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot open the artifact cache in " + dir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private void load() throws IOException {
        int found = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(settings.dir())) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.endsWith(".part")) {
                    Files.deleteIfExists(f);
                } else if (KEY.matcher(name).matches() && Files.isRegularFile(f)) {
                    entries.restore(name, f, Files.size(f), Files.getLastModifiedTime(f).toMillis());
                    found++;
                }
            }
        }
        synchronized (this) {
            entries.evict(0);
        }
        LOG.info("artifact cache {}: {} verified file(s), {} bytes of {} allowed; hosts {}", settings.dir(), found,
                entries.held(), settings.maxBytes(), hosts.allowsAny() ? "any" : settings.hosts());
    }

    public Path dir() {
        return settings.dir();
    }

    public synchronized long heldBytes() {
        return entries.held();
    }

    /** The name a verified artifact has in the cache. */
    static String key(ArtifactSpec spec) {
        return spec.compression() == Compression.NONE ? spec.sha256() : spec.sha256() + UNPACKED;
    }

    /**
     * Gets every artifact of {@code wanted} (name as the profile says it → spec): from the cache, or downloaded,
     * all at once. Progress and what was done go to {@code lines} (the job's worker lines).
     *
     * @param timeout how long the whole may take (the job's provisioning time)
     * @return the verified files, held until the result is closed
     * @throws ArtifactException the first artifact that could not be had, named
     */
    public JobArtifacts fetch(Map<String, ArtifactSpec> wanted, Consumer<String> lines, Duration timeout)
            throws ArtifactException, InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + timeout.toNanos();
        List<Request> requests = new ArrayList<>();
        Map<String, CacheEntries.Entry> got = new LinkedHashMap<>();
        boolean ok = false;
        try {
            for (Map.Entry<String, ArtifactSpec> w : wanted.entrySet()) {
                Request r = request(w.getKey(), w.getValue(), lines);
                requests.add(r);
                // outside the cache's lock: a line goes to Kafka, whose producer may block
                lines.accept(r.said);
            }
            for (Request r : requests) {
                got.put(r.name, await(r, deadline));
            }
            ok = true;
            return new JobArtifacts(this, got, System.nanoTime() - t0);
        } finally {
            if (!ok) {
                synchronized (this) {
                    for (CacheEntries.Entry e : got.values()) entries.release(e);
                    for (Request r : requests) if (!got.containsKey(r.name)) abandon(r);
                }
            }
        }
    }

    /** A job ended: its files may be evicted again. */
    synchronized void release(Iterable<CacheEntries.Entry> used) {
        for (CacheEntries.Entry e : used) entries.release(e);
        entries.evict(0);
    }

    /** One job's wait for one artifact: answered from the cache, or a waiter of a download. */
    private record Request(String name, CacheEntries.Entry hit, InFlight download, Waiter waiter, String said) {
    }

    private record Waiter(String name, Consumer<String> lines) {
    }

    private synchronized Request request(String name, ArtifactSpec spec, Consumer<String> lines) {
        String key = key(spec);
        CacheEntries.Entry hit = entries.use(key);
        if (hit != null) {
            metrics.hit();
            return new Request(name, hit, null, null, "artifact " + name + ": in the cache (" + Sizes.bytes(hit.size)
                    + ", sha256 " + spec.sha256().substring(0, 12) + "… verified when it was fetched)");
        }
        metrics.miss();
        Waiter waiter = new Waiter(name, lines);
        InFlight download = inFlight.get(key);
        if (download != null) {
            download.waiters.add(waiter);
            return new Request(name, null, download, waiter, "fetching artifact " + name
                    + ": another job is fetching it already; waiting for that download");
        }
        InFlight d = new InFlight(key, spec);
        d.waiters.add(waiter);
        inFlight.put(key, d);
        d.task = downloads.submit(() -> download(d));
        return new Request(name, null, d, waiter, "fetching artifact " + name + " from "
                + Urls.safe(java.net.URI.create(spec.url())) + (spec.size() == null ? "" : " (" + Sizes.bytes(spec.size()) + ")"));
    }

    private CacheEntries.Entry await(Request r, long deadline) throws ArtifactException, InterruptedException {
        if (r.hit != null) return r.hit;
        try {
            return r.download.result.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ArtifactException a) throw a.named(r.name);
            throw new ArtifactException(Problem.TRANSFER, "artifact " + r.name + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            synchronized (this) {
                CacheEntries.Entry done = succeeded(r.download);
                if (done != null) return done;
            }
            InFlight d = r.download;
            throw new ArtifactException(Problem.TIMEOUT, "artifact " + r.name + ": not fetched within the provisioning"
                    + " time (" + Sizes.bytes(d.bytes) + (d.total >= 0 ? " of " + Sizes.bytes(d.total) : "")
                    + " so far)");
        }
    }

    /** A waiter gives up (timeout, interrupt, another artifact failed): the last one to go stops the download. */
    private void abandon(Request r) {
        if (r.download == null) {
            entries.release(r.hit);
            return;
        }
        CacheEntries.Entry done = succeeded(r.download);
        if (done != null) {
            entries.release(done);
            return;
        }
        r.download.waiters.remove(r.waiter);
        if (r.download.waiters.isEmpty() && inFlight.remove(r.download.key, r.download)) {
            LOG.info("artifact download {} cancelled: no job waits for it any more", r.download.key);
            r.download.task.cancel(true);
        }
    }

    private static CacheEntries.Entry succeeded(InFlight d) {
        return d.result.isDone() && !d.result.isCompletedExceptionally() ? d.result.join() : null;
    }

    /** One download and the jobs waiting for it. */
    private final class InFlight {
        final String key;
        final ArtifactSpec spec;
        final CompletableFuture<CacheEntries.Entry> result = new CompletableFuture<>();
        final List<Waiter> waiters = new CopyOnWriteArrayList<>();
        Future<?> task;
        volatile long bytes;
        volatile long total = -1;
        private long lastLineNanos = System.nanoTime();
        private long lastLineBytes;

        InFlight(String key, ArtifactSpec spec) {
            this.key = key;
            this.spec = spec;
        }

        /** From the download's thread: count the bytes, and at most once a second tell every waiting job. */
        void progress(long now, long announcedTotal) {
            if (now > bytes) metrics.fetched(now - bytes);
            bytes = now;
            total = announcedTotal >= 0 ? announcedTotal : spec.size() == null ? -1 : spec.size();
            long t = System.nanoTime();
            if (t - lastLineNanos < PROGRESS_INTERVAL_NANOS) return;
            double rate = Math.max(0, now - lastLineBytes) * 1e9 / (t - lastLineNanos);
            lastLineNanos = t;
            lastLineBytes = now;
            String of = (total >= 0 ? " of " + Sizes.bytes(total) : "") + ", " + Sizes.rate(rate);
            for (Waiter w : waiters) w.lines.accept("fetching artifact " + w.name + ": " + Sizes.bytes(now) + of);
        }

        void tell(String what) {
            for (Waiter w : waiters) w.lines.accept("artifact " + w.name + ": " + what);
        }
    }

    private void download(InFlight d) {
        Path part = settings.dir().resolve(d.key + "." + UUID.randomUUID() + ".part");
        Path unpacking = null;
        long t0 = System.nanoTime();
        try {
            synchronized (this) {
                entries.evict(d.spec.size() == null ? 0 : d.spec.size());
            }
            long size;
            try (PartFile file = new PartFile(part)) {
                new HttpDownload(client, settings, hosts, d.spec, file, d::progress).run();
                size = file.bytes();
            }
            long took = System.nanoTime() - t0;
            d.tell("fetched " + Sizes.bytes(size) + " in " + Sizes.seconds(took) + " ("
                    + Sizes.rate(size * 1e9 / Math.max(1, took)) + "), sha256 verified");
            Path target = settings.dir().resolve(d.key);
            if (d.spec.compression() != Compression.NONE) {
                long u0 = System.nanoTime();
                unpacking = settings.dir().resolve(d.key + "." + UUID.randomUUID() + ".part");
                size = Unpacker.unpack(d.spec.compression(), part, unpacking, settings.maxArtifactBytes());
                Files.delete(part);
                part = unpacking;
                d.tell("unpacked " + d.spec.compression().name().toLowerCase(Locale.ROOT) + " to "
                        + Sizes.bytes(size) + " in " + Sizes.seconds(System.nanoTime() - u0));
            }
            Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            synchronized (this) {
                inFlight.remove(d.key, d);
                CacheEntries.Entry e = entries.add(d.key, target, size, d.waiters.size());
                entries.evict(0);
                d.result.complete(e);
            }
            LOG.info("artifact {} fetched from {}: {} bytes in {} ms", d.key, Urls.safe(java.net.URI.create(d.spec.url())),
                    size, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        } catch (ArtifactException e) {
            fail(d, e, part, unpacking);
        } catch (InterruptedException e) {
            fail(d, new ArtifactException(Problem.TRANSFER, "download cancelled"), part, unpacking);
        } catch (IOException e) {
            fail(d, new ArtifactException(Problem.STORAGE, "cannot store it in " + settings.dir() + ": "
                    + e.getMessage(), e), part, unpacking);
        } catch (RuntimeException e) {
            LOG.error("artifact download {} failed in the worker", d.key, e);
            fail(d, new ArtifactException(Problem.TRANSFER, "worker error: " + e), part, unpacking);
        }
    }

    private void fail(InFlight d, ArtifactException e, Path part, Path unpacking) {
        deleteQuietly(part);
        deleteQuietly(unpacking);
        metrics.failed(e.problem());
        synchronized (this) {
            inFlight.remove(d.key, d);
            d.result.completeExceptionally(e);
        }
        LOG.warn("artifact {} from {}: {}", d.key, Urls.safe(java.net.URI.create(d.spec.url())), e.getMessage());
    }

    @Override
    public void close() {
        synchronized (this) {
            for (InFlight d : inFlight.values()) {
                d.task.cancel(true);
                d.result.completeExceptionally(new ArtifactException(Problem.TRANSFER, "the worker is shutting down"));
            }
            inFlight.clear();
        }
        downloads.shutdownNow();
        try {
            lock.release();
        } catch (IOException e) {
            LOG.debug("releasing the cache lock: {}", e.getMessage());
        }
        closeQuietly(lockChannel);
    }

    private static void deleteQuietly(Path p) {
        if (p == null) return;
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", p, e.getMessage());
        }
    }

    private static void closeQuietly(FileChannel c) {
        if (c == null) return;
        try {
            c.close();
        } catch (IOException e) {
            LOG.debug("closing {}: {}", c, e.getMessage());
        }
    }
}
