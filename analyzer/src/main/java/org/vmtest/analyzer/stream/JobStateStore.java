package org.vmtest.analyzer.stream;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * The running jobs' states: live objects in memory, written to a persistent, changelogged key-value store when
 * Kafka Streams commits. A job's state changes with every console line; serializing it per line cost more than
 * matching the line (see docs/BENCHMARKS.md), while one write per job per commit keeps exactly-once intact.
 *
 * <p>The write happens where Kafka Streams empties its own record caches: {@link #flushCache()}, called before
 * the task's records are flushed and its input offsets committed in the same transaction. That hook is Kafka
 * Streams' {@link CachedStateStore} (an internal interface, so pinned by
 * {@code AnalyzerTopologyTest.jobStateIsWrittenToItsChangelogOnCommitAndRemovedWhenTheJobEnds}: if a Kafka
 * upgrade stops calling it, that test fails rather than state silently lagging behind offsets).
 *
 * <p>Kafka Streams closes and reopens the store whenever it must (rebalance, aborted transaction); the live
 * objects are then dropped and reloaded from the persistent store, which is always the committed truth.
 */
final class JobStateStore implements StateStore, CachedStateStore<String, JobState> {
    private final KeyValueStore<String, JobState> persistent;
    private final Map<String, JobState> live = new HashMap<>();
    private final Set<String> dirty = new LinkedHashSet<>();
    private boolean loaded;

    private JobStateStore(KeyValueStore<String, JobState> persistent) {
        this.persistent = persistent;
    }

    static StoreBuilder<JobStateStore> builder(String name) {
        return new Builder(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(),
                JobStateSerde.serde()));
    }

    JobState get(String jobId) {
        load();
        return live.get(jobId);
    }

    void put(String jobId, JobState state) {
        load();
        live.put(jobId, state);
        dirty.add(jobId);
    }

    /** The state was changed in place: write it at the next commit. */
    void changed(String jobId) {
        if (live.containsKey(jobId)) dirty.add(jobId);
    }

    void delete(String jobId) {
        load();
        live.remove(jobId);
        dirty.add(jobId);
    }

    /** Every running job of this task, live (changes must be announced with {@link #changed}). */
    Collection<Map.Entry<String, JobState>> all() {
        load();
        return live.entrySet();
    }

    /** Forgets the live object of one job: the next read returns what the last commit wrote. */
    void reload(String jobId) {
        load();
        dirty.remove(jobId);
        JobState committed = persistent.get(jobId);
        if (committed == null) live.remove(jobId);
        else live.put(jobId, committed);
    }

    private void load() {
        if (loaded) return;
        live.clear();
        dirty.clear();
        try (KeyValueIterator<String, JobState> it = persistent.all()) {
            while (it.hasNext()) {
                KeyValue<String, JobState> kv = it.next();
                live.put(kv.key, kv.value);
            }
        }
        loaded = true;
    }

    private void writeDirty() {
        for (String jobId : dirty) {
            JobState s = live.get(jobId);
            if (s == null) persistent.delete(jobId);
            else persistent.put(jobId, s);
        }
        dirty.clear();
    }

    @Override
    public String name() {
        return persistent.name();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        loaded = false;
        live.clear();
        dirty.clear();
        persistent.init(context, root);
    }

    @Override
    public void flushCache() {
        writeDirty();
    }

    @Override
    public void clearCache() {
        live.clear();
        dirty.clear();
        loaded = false;
    }

    /** Nothing downstream listens to this store's changes. */
    @Override
    public boolean setFlushListener(CacheFlushListener<String, JobState> listener, boolean sendOldValues) {
        return false;
    }

    @Override
    @SuppressWarnings("deprecation")
    public void flush() {
        writeDirty();
        persistent.flush();
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        persistent.commit(changelogOffsets);
    }

    @Override
    public void close() {
        live.clear();
        dirty.clear();
        loaded = false;
        persistent.close();
    }

    @Override
    public boolean persistent() {
        return true;
    }

    @Override
    public boolean isOpen() {
        return persistent.isOpen();
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound bound, QueryConfig config) {
        return persistent.query(query, bound, config);
    }

    @Override
    public Position getPosition() {
        return persistent.getPosition();
    }

    private static final class Builder implements StoreBuilder<JobStateStore> {
        private final StoreBuilder<KeyValueStore<String, JobState>> inner;

        Builder(StoreBuilder<KeyValueStore<String, JobState>> inner) {
            this.inner = inner;
        }

        @Override
        public StoreBuilder<JobStateStore> withCachingEnabled() {
            inner.withCachingEnabled();
            return this;
        }

        @Override
        public StoreBuilder<JobStateStore> withCachingDisabled() {
            inner.withCachingDisabled();
            return this;
        }

        @Override
        public StoreBuilder<JobStateStore> withLoggingEnabled(Map<String, String> config) {
            inner.withLoggingEnabled(config);
            return this;
        }

        @Override
        public StoreBuilder<JobStateStore> withLoggingDisabled() {
            inner.withLoggingDisabled();
            return this;
        }

        @Override
        public JobStateStore build() {
            return new JobStateStore(inner.build());
        }

        @Override
        public Map<String, String> logConfig() {
            return inner.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return inner.loggingEnabled();
        }

        @Override
        public String name() {
            return inner.name();
        }
    }
}
