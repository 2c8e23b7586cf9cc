package org.vmtest.analyzer.stream;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vmtest.analyzer.patterns.JobScanner;
import org.vmtest.analyzer.patterns.PatternLibrary;
import org.vmtest.protocol.jobs.PatternSpec;

/**
 * One {@link JobScanner} per distinct set of profile patterns, shared by every task of the analyzer: most jobs of a
 * run carry the same extras, and building a scanner compiles its patterns, which the hot path must never do.
 */
final class ScannerCache {
    private static final int MAX_ENTRIES = 64;

    private final PatternLibrary base;
    private final Duration reportGrace;
    private final JobScanner baseScanner;
    private final Entry baseEntry;
    private final Map<List<PatternSpec>, Entry> byExtras = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<List<PatternSpec>, Entry> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    /** A scanner, and why the profile's own patterns could not be used (empty when they could). */
    record Entry(JobScanner scanner, String rejection) {
    }

    ScannerCache(PatternLibrary base, Duration reportGrace) {
        this.base = base;
        this.reportGrace = reportGrace;
        this.baseScanner = new JobScanner(base, reportGrace);
        this.baseEntry = new Entry(baseScanner, "");
    }

    PatternLibrary library() {
        return base;
    }

    /** Bad profile patterns must not blind the analyzer: the job is then scanned with the built-in library alone. */
    Entry forExtras(List<PatternSpec> extras) {
        if (extras == null || extras.isEmpty()) return baseEntry;
        synchronized (byExtras) {
            Entry known = byExtras.get(extras);
            if (known != null) return known;
            return byExtras.computeIfAbsent(List.copyOf(extras), key -> {
                try {
                    return new Entry(new JobScanner(base.plus(key), reportGrace), "");
                } catch (RuntimeException e) {
                    return new Entry(baseScanner, e.getMessage() == null ? e.toString() : e.getMessage());
                }
            });
        }
    }
}
