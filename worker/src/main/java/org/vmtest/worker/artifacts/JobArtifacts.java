package org.vmtest.worker.artifacts;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The verified artifacts of one job, held in the cache (never evicted) until {@link #close()}: the job's VM reads
 * them while it runs.
 */
public final class JobArtifacts implements AutoCloseable {
    private static final JobArtifacts NONE = new JobArtifacts(null, Map.of(), 0);

    private final ArtifactCache cache;
    private final Map<String, CacheEntries.Entry> entries;
    private final long fetchNanos;
    private final AtomicBoolean closed = new AtomicBoolean();

    JobArtifacts(ArtifactCache cache, Map<String, CacheEntries.Entry> entries, long fetchNanos) {
        this.cache = cache;
        this.entries = Map.copyOf(entries);
        this.fetchNanos = fetchNanos;
    }

    /** A job that names no artifact. */
    public static JobArtifacts none() {
        return NONE;
    }

    /** The verified file of the artifact the profile calls {@code name}, or null when the job has none by that name. */
    public Path path(String name) {
        CacheEntries.Entry e = entries.get(name);
        return e == null ? null : e.file;
    }

    /** How long getting them took: downloads, or the cache lookups. */
    public long fetchMillis() {
        return TimeUnit.NANOSECONDS.toMillis(fetchNanos);
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    @Override
    public void close() {
        if (cache != null && closed.compareAndSet(false, true)) cache.release(entries.values());
    }
}
