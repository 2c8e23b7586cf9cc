package org.vmtest.worker.artifacts;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.LongSupplier;

/** The cache as an operator sees it on {@code /metrics}: hits, misses, bytes fetched, bytes held, evictions. */
final class ArtifactMetrics {
    private final Counter hits;
    private final Counter misses;
    private final Counter fetchedBytes;
    private final Counter evictions;
    private final MeterRegistry registry;

    ArtifactMetrics(MeterRegistry registry, LongSupplier heldBytes) {
        this.registry = registry;
        hits = Counter.builder("vmtest_worker_artifact_cache_hits")
                .description("artifact requests a verified file in the cache answered").register(registry);
        misses = Counter.builder("vmtest_worker_artifact_cache_misses")
                .description("artifact requests that needed a download (or joined one in flight)").register(registry);
        fetchedBytes = Counter.builder("vmtest_worker_artifact_fetched_bytes").baseUnit("bytes")
                .description("bytes downloaded for artifacts, retries included").register(registry);
        evictions = Counter.builder("vmtest_worker_artifact_cache_evictions")
                .description("cache entries removed to stay within cacheMaxBytes").register(registry);
        Gauge.builder("vmtest_worker_artifact_cache_held_bytes", heldBytes::getAsLong).baseUnit("bytes")
                .description("bytes of verified artifacts in the cache").register(registry);
    }

    void hit() {
        hits.increment();
    }

    void miss() {
        misses.increment();
    }

    void fetched(long bytes) {
        fetchedBytes.increment(bytes);
    }

    void evicted() {
        evictions.increment();
    }

    void failed(ArtifactException.Problem problem) {
        Counter.builder("vmtest_worker_artifact_fetch_failures").tag("problem", problem.name())
                .description("artifact downloads that failed, by problem").register(registry).increment();
    }
}
