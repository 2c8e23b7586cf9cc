package org.vmtest.worker.artifacts;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How a worker's artifact cache behaves.
 *
 * @param dir              where verified files live, named by their sha256; one worker process per directory
 * @param maxBytes         the cache's budget ({@code cacheMaxBytes}); unused entries beyond it are evicted
 * @param maxArtifactBytes the most one artifact may have, downloaded or unpacked ({@code maxArtifactBytes})
 * @param hosts            {@code artifactHosts}: the hosts downloads may come from; empty for any
 * @param stallTimeout     a response that sends nothing for this long is cut and tried again
 * @param retries          how many times a transient failure (connection, 5xx, 408, 429, stall) is tried again
 * @param firstBackoff     the pause before the first retry; it doubles for each further one (at most 10 s)
 */
public record ArtifactCacheSettings(Path dir, long maxBytes, long maxArtifactBytes, List<String> hosts,
                                    Duration stallTimeout, int retries, Duration firstBackoff) {
    public ArtifactCacheSettings {
        if (dir == null) throw new IllegalArgumentException("the artifact cache needs a directory");
        if (maxBytes <= 0) throw new IllegalArgumentException("cacheMaxBytes must be positive, got " + maxBytes);
        if (maxArtifactBytes <= 0 || maxArtifactBytes > maxBytes) {
            throw new IllegalArgumentException("maxArtifactBytes must be positive and at most cacheMaxBytes ("
                    + maxBytes + "), got " + maxArtifactBytes);
        }
        hosts = hosts == null ? List.of() : List.copyOf(hosts);
        if (stallTimeout == null) stallTimeout = Duration.ofSeconds(30);
        if (retries < 0) throw new IllegalArgumentException("retries must not be negative, got " + retries);
        if (firstBackoff == null) firstBackoff = Duration.ofMillis(500);
    }

    /** The worker's settings: 30 s stall timeout, 5 retries from 0.5 s. */
    public static ArtifactCacheSettings of(Path dir, long maxBytes, long maxArtifactBytes, List<String> hosts) {
        return new ArtifactCacheSettings(dir, maxBytes, maxArtifactBytes, hosts, null, 5, null);
    }
}
