package org.vmtest.worker.artifacts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The verified files of the cache, with who uses them: an entry in use (a running job holds a lease) is never
 * evicted; the others go least recently used first when the cache holds more than its budget. Callers hold the
 * cache's lock.
 */
final class CacheEntries {
    private static final Logger LOG = LoggerFactory.getLogger(CacheEntries.class);

    static final class Entry {
        final String key;
        final Path file;
        final long size;
        int users;
        long lastUsed;

        Entry(String key, Path file, long size, long lastUsed) {
            this.key = key;
            this.file = file;
            this.size = size;
            this.lastUsed = lastUsed;
        }
    }

    private final Map<String, Entry> entries = new HashMap<>();
    private final long budget;
    private final Runnable onEviction;
    private long held;
    private long clock;

    CacheEntries(long budget, Runnable onEviction) {
        this.budget = budget;
        this.onEviction = onEviction;
    }

    /** An entry found on disk at start, in the order of its last use (its modification time). */
    void restore(String key, Path file, long size, long lastUsedMillis) {
        Entry e = new Entry(key, file, size, lastUsedMillis);
        entries.put(key, e);
        held += size;
        clock = Math.max(clock, lastUsedMillis);
    }

    /**
     * The entry for {@code key} with one more user, or null when there is none or its file is no longer whole
     * (removed or cut by hand): then it is forgotten and fetched again.
     */
    Entry use(String key) {
        Entry e = entries.get(key);
        if (e == null) return null;
        long size;
        try {
            size = Files.size(e.file);
        } catch (IOException ex) {
            size = -1;
        }
        if (size != e.size) {
            LOG.warn("artifact cache: {} is no longer the verified file ({} bytes, now {}); fetching it again",
                    e.file, e.size, size);
            forget(e);
            return null;
        }
        e.users++;
        touch(e);
        return e;
    }

    /** Adds a verified file with {@code users} users already. */
    Entry add(String key, Path file, long size, int users) {
        Entry e = new Entry(key, file, size, 0);
        Entry old = entries.put(key, e);
        if (old != null) held -= old.size;
        e.users = users;
        held += size;
        touch(e);
        return e;
    }

    void release(Entry e) {
        if (e.users > 0) e.users--;
        touch(e);
    }

    /** Evicts unused entries, least recently used first, until {@code extra} more bytes fit the budget. */
    void evict(long extra) {
        if (held + extra <= budget) return;
        List<Entry> idle = new ArrayList<>();
        for (Entry e : entries.values()) if (e.users == 0) idle.add(e);
        idle.sort((a, b) -> Long.compare(a.lastUsed, b.lastUsed));
        for (Entry e : idle) {
            if (held + extra <= budget) return;
            forget(e);
            try {
                Files.deleteIfExists(e.file);
                LOG.info("artifact cache: evicted {} ({} bytes, least recently used)", e.file.getFileName(), e.size);
            } catch (IOException ex) {
                LOG.warn("artifact cache: cannot delete {}: {}", e.file, ex.getMessage());
            }
            onEviction.run();
        }
        if (held + extra > budget) {
            LOG.warn("artifact cache holds {} bytes (+{} coming) over its budget of {}: the rest is in use by running"
                    + " jobs and goes once they end", held, extra, budget);
        }
    }

    long held() {
        return held;
    }

    boolean contains(String key) {
        return entries.containsKey(key);
    }

    private void forget(Entry e) {
        if (entries.remove(e.key, e)) held -= e.size;
    }

    private void touch(Entry e) {
        e.lastUsed = ++clock;
        try {
            // the order of last use survives a restart as the files' modification times
            Files.setLastModifiedTime(e.file, FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException ex) {
            LOG.debug("cannot touch {}: {}", e.file, ex.getMessage());
        }
    }
}
