package org.vmtest.analyzer.patterns;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vmtest.protocol.Category;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.jobs.PatternSpec;
import org.vmtest.regex.PatternChecks;

/** A validated pattern with everything the hot path needs precomputed. */
final class CompiledPattern {
    final int index;
    final PatternSpec spec;
    final Pattern regex;
    final Set<String> groupNames;
    /** Null for a single-line pattern. */
    final ReportSpec report;
    final Pattern reportEnd;
    final List<Pattern> refine;
    /** What the line says about the kernel's life (boot or orderly stop); null for most patterns. */
    final BootMark boot;
    /**
     * What the prefilter requires of a line: one of these alternatives, each a list of clauses that must all have
     * a literal in the line (see {@link RegexAnalysis#requirements}); empty: always confirm.
     */
    final List<List<Set<String>>> requirements;
    /** Every match starts at index 0, so {@code lookingAt} answers what {@code find} would, without the scan. */
    final boolean anchored;
    /** For an anchored regex, the characters a line must start with (null: any). */
    final boolean[] firstChars;
    private final int phaseMask;
    private final int sourceMask;

    CompiledPattern(int index, PatternSpec spec, ReportSpec report, BootMark boot) {
        this.index = index;
        this.spec = spec;
        this.regex = Pattern.compile(spec.regex());
        this.groupNames = PatternChecks.namedGroups(spec.regex());
        this.report = report;
        this.boot = boot;
        this.reportEnd = report == null || report.end() == null ? null : Pattern.compile(report.end());
        this.refine = report == null ? List.of() : report.refine().stream().map(r -> Pattern.compile(r.regex())).toList();
        this.requirements = RegexAnalysis.requirements(spec.regex());
        this.anchored = RegexAnalysis.startAnchored(spec.regex());
        this.firstChars = anchored ? RegexAnalysis.anchoredFirstChars(spec.regex()) : null;
        this.phaseMask = spec.phases().isEmpty() ? -1 : spec.phases().stream().mapToInt(p -> 1 << p.ordinal()).reduce(0, (a, b) -> a | b);
        this.sourceMask = spec.sources().isEmpty() ? -1 : spec.sources().stream().mapToInt(s -> 1 << s.ordinal()).reduce(0, (a, b) -> a | b);
    }

    boolean appliesTo(Phase phase, LineSource source) {
        return (phase == null || (phaseMask & 1 << phase.ordinal()) != 0)
                && (source == null || (sourceMask & 1 << source.ordinal()) != 0);
    }

    boolean isProblem() {
        Category c = spec.category();
        return c == Category.CRITICAL || c == Category.ERROR || c == Category.WARNING || c == Category.FAILURE;
    }

    /** The named groups of a successful match, by name. */
    Map<String, String> groups(Matcher m, Set<String> names) {
        var out = new HashMap<String, String>(names.size() * 2);
        for (String name : names) {
            String v = m.group(name);
            if (v != null) out.put(name, v);
        }
        return out;
    }
}
