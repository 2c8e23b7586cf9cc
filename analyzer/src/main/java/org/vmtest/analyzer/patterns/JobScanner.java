package org.vmtest.analyzer.patterns;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import org.vmtest.protocol.Category;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.regex.PatternChecks;

/**
 * Turns one job's lines into {@link Hit}s. Stateless itself but for a cache of normalised titles (one instance
 * serves every job of a library): all it remembers of a job lives in the job's {@link ScanState}.
 *
 * <p>A single-line pattern's hit comes out of {@link #onLine} at once. A multi-line report (a pattern with
 * {@link ReportSpec} framing, e.g. a kernel oops) is collected until its end marker, its bound or its grace, and
 * comes out once, with the whole block; report starts seen inside it, or just after a critical report (the panic
 * that follows an oops), are the same crash and add nothing.
 */
public final class JobScanner {
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(2);
    /** Longest line kept in a block or a context. */
    static final int MAX_KEPT_LINE = 1024;

    private final List<CompiledPattern> patterns;
    private final Map<String, CompiledPattern> byId;
    private final LineMatcher matcher;
    private final Duration grace;
    private final TitleCache titles = new TitleCache();

    /** @param reportGrace how long a multi-line report may stay open after its first line (at most a few seconds) */
    public JobScanner(PatternLibrary library, Duration reportGrace) {
        Objects.requireNonNull(library, "library");
        this.grace = reportGrace == null ? DEFAULT_GRACE : reportGrace;
        if (grace.isNegative()) throw new IllegalArgumentException("reportGrace must not be negative: " + grace);
        this.patterns = library.compiled();
        this.matcher = library.matcher();
        var ids = new HashMap<String, CompiledPattern>();
        for (CompiledPattern p : patterns) ids.put(p.spec.id(), p);
        this.byId = ids;
    }

    public JobScanner(PatternLibrary library) {
        this(library, DEFAULT_GRACE);
    }

    /** Scans one line. Returns the hits whose evidence is complete now (often none). */
    public List<Hit> onLine(ScanState state, long seq, Phase phase, LineSource source, Instant time, String text) {
        String clean = LineText.clean(text);
        String view = LineText.withoutTimestamp(clean);
        state.lines++;
        List<Hit> hits = null;
        boolean inReport = false;
        if (state.open != null) {
            ScanState.OpenReport r = state.open;
            CompiledPattern cp = byId.get(r.patternId);
            if (cp == null || cp.report == null || time != null && r.deadline != null && time.isAfter(r.deadline)) {
                hits = add(hits, close(state));
            } else {
                inReport = true;
                r.block.add(keep(clean));
                refine(cp, r, view);
                boolean ended = cp.reportEnd != null && cp.reportEnd.matcher(view).find();
                if (ended || r.block.size() >= cp.report.maxLines()) {
                    hits = add(hits, close(state));
                    state.remember(keep(clean));
                    return hits == null ? List.of() : hits;
                }
            }
        } else if (state.aftermath > 0) {
            state.aftermath--;
        }
        int[] matched = matcher.match(view);
        if (matched.length > 0) hits = scanMatches(state, matched, seq, phase, source, time, clean, view, inReport, hits);
        state.remember(keep(clean));
        return hits == null ? List.of() : hits;
    }

    private List<Hit> scanMatches(ScanState state, int[] matched, long seq, Phase phase, LineSource source,
                                  Instant time, String clean, String view, boolean inReport, List<Hit> hits) {
        boolean partOfReport = inReport;
        for (int i : matched) {
            CompiledPattern cp = patterns.get(i);
            // a crash explains the next boot banner: the kernel panicked, the watchdog or the user restarted it
            if (cp.boot == null && cp.spec.category() == Category.CRITICAL && cp.appliesTo(phase, source)) {
                state.quietSinceBoot = false;
            }
        }
        if (!inReport) {
            for (int i : matched) {
                CompiledPattern cp = patterns.get(i);
                if (cp.report == null || !cp.appliesTo(phase, source)) continue;
                partOfReport = true;
                // the closing line of a report whose start we did not see (or absorbed) opens nothing
                boolean closingLine = cp.reportEnd != null && cp.reportEnd.matcher(view).find();
                if (state.aftermath == 0 && !closingLine) open(state, cp, seq, phase, source, time, clean, view);
                break;
            }
        } else {
            CompiledPattern current = byId.get(state.open.patternId);
            for (int i : matched) {
                CompiledPattern cp = patterns.get(i);
                if (cp.report == null || !cp.appliesTo(phase, source)) continue;
                if (cp.spec.category() == Category.CRITICAL && current.spec.category() != Category.CRITICAL) {
                    // a crash inside a lesser report (a panic after a WARNING with panic_on_warn) is news
                    state.open.block.remove(state.open.block.size() - 1);
                    hits = add(hits, close(state));
                    open(state, cp, seq, phase, source, time, clean, view);
                }
                break;
            }
        }
        for (int i : matched) {
            CompiledPattern cp = patterns.get(i);
            if (cp.report != null || !cp.appliesTo(phase, source)) continue;
            if (cp.boot == BootMark.KERNEL_START) {
                if (bootIsUnexpected(state, phase)) hits = add(hits, single(state, cp, seq, phase, source, time, clean, view));
                continue;
            }
            if (cp.boot == BootMark.KERNEL_STOP) state.quietSinceBoot = false;
            if (partOfReport && cp.isProblem()) continue;
            // after a crash the dying kernel's noise is the same crash; a test that reports failing is news
            if (state.aftermath > 0 && cp.isProblem() && cp.spec.category() != Category.FAILURE) continue;
            hits = add(hits, single(state, cp, seq, phase, source, time, clean, view));
        }
        return hits;
    }

    /**
     * Counts a boot banner. The first of a job is its boot; a later one is unexpected unless the job is in its
     * reboot phase (the worker restarts the guest) or the kernel crashed or stopped in order since the last one.
     */
    private static boolean bootIsUnexpected(ScanState state, Phase phase) {
        boolean unexpected = state.boots > 0 && state.quietSinceBoot && phase != Phase.REBOOT;
        state.boots++;
        state.quietSinceBoot = true;
        return unexpected;
    }

    /** Closes an open report whose grace has passed by {@code now} (wall-clock punctuation). */
    public List<Hit> onTick(ScanState state, Instant now) {
        if (state.open == null || state.open.deadline == null || now.isBefore(state.open.deadline)) return List.of();
        Hit h = close(state);
        return h == null ? List.of() : List.of(h);
    }

    /** The job ended: an open report is complete as it is. */
    public List<Hit> onEnd(ScanState state) {
        if (state.open == null) return List.of();
        Hit h = close(state);
        return h == null ? List.of() : List.of(h);
    }

    private void open(ScanState state, CompiledPattern cp, long seq, Phase phase, LineSource source, Instant time,
                      String clean, String view) {
        Matcher m = confirmed(cp, view);
        var r = new ScanState.OpenReport();
        r.patternId = cp.spec.id();
        r.seq = seq;
        r.time = time;
        r.deadline = time == null ? null : time.plus(grace);
        r.phase = phase;
        r.source = source;
        r.line = keep(clean);
        if (m != null) r.groups.putAll(cp.groups(m, cp.groupNames));
        r.title = cp.spec.title();
        r.block.add(keep(clean));
        r.context = state.context();
        state.open = r;
        refine(cp, r, view);
    }

    private void refine(CompiledPattern cp, ScanState.OpenReport r, String view) {
        int limit = r.refinedBy < 0 ? cp.refine.size() : r.refinedBy;
        for (int j = 0; j < limit; j++) {
            Matcher m = cp.refine.get(j).matcher(view);
            if (m.find()) {
                r.groups.putAll(cp.groups(m, PatternChecks.namedGroups(cp.report.refine().get(j).regex())));
                r.title = cp.report.refine().get(j).title();
                r.refinedBy = j;
                return;
            }
        }
    }

    private Hit close(ScanState state) {
        ScanState.OpenReport r = state.open;
        state.open = null;
        CompiledPattern cp = byId.get(r.patternId);
        if (cp == null) return null;
        if (cp.spec.category() == Category.CRITICAL) state.aftermath = ScanState.AFTERMATH_LINES;
        String[] titled = titles.titleAndSignature(Titles.render(r.title, r.groups));
        String title = titled[0];
        String signature = titled[1];
        if (!state.firstTime(signature)) return null;
        return new Hit(cp.spec, title, signature, r.phase, r.source, r.seq, r.time, r.line, r.block, r.context,
                null, null);
    }

    private Hit single(ScanState state, CompiledPattern cp, long seq, Phase phase, LineSource source, Instant time,
                       String clean, String view) {
        // The matcher has confirmed the line already: run the regex again only for the groups the title or the
        // metric take from it.
        Map<String, String> groups = Map.of();
        if (cp.spec.metric() != null || cp.spec.title().contains("${")) {
            Matcher m = confirmed(cp, view);
            if (m != null) groups = cp.groups(m, cp.groupNames);
        }
        String[] titled = titles.titleAndSignature(Titles.render(cp.spec.title(), groups));
        String title = titled[0];
        String signature = titled[1];
        boolean problem = cp.isProblem();
        if (problem && !state.firstTime(signature)) return null;
        Double value = null;
        String unit = null;
        if (cp.spec.metric() != null) {
            value = Metrics.parse(groups.get(cp.spec.metric().group()), cp.spec.metric().unit());
            if (value == null) return null;
            unit = cp.spec.metric().unit();
        }
        return new Hit(cp.spec, title, signature, phase, source, seq, time, keep(clean), List.of(),
                problem ? state.context() : List.of(), value, unit);
    }

    /** The pattern's match on the line: the matcher's own confirmation when it has it, else a fresh find; or null. */
    private Matcher confirmed(CompiledPattern cp, String view) {
        Matcher m = matcher.lastMatch(view, cp.index);
        if (m != null) return m;
        m = cp.regex.matcher(view);
        return m.find() ? m : null;
    }

    private static String keep(String line) {
        return line.length() <= MAX_KEPT_LINE ? line : line.substring(0, MAX_KEPT_LINE);
    }

    private static List<Hit> add(List<Hit> hits, Hit h) {
        if (h == null) return hits;
        if (hits == null) hits = new ArrayList<>(2);
        hits.add(h);
        return hits;
    }
}
