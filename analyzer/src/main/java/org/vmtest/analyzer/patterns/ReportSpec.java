package org.vmtest.analyzer.patterns;

import java.util.List;
import java.util.Objects;

/**
 * How a multi-line report is framed: the pattern's own regex marks its first line; the report runs until a line
 * matches {@code end}, until it holds {@code maxLines} lines, or until the scanner's grace passes. Kept beside the
 * shared {@link org.vmtest.protocol.jobs.PatternSpec} (keyed by pattern id) because only the analyzer frames reports.
 *
 * @param end      regex of the end marker line (inclusive), e.g. {@code ---\[ end trace}; null: grace or bound only
 * @param maxLines bound on the lines of one report, the first line included
 * @param refine   rules that complete the title from later lines of the block; the first listed rule that matches
 *                 any line wins
 */
public record ReportSpec(String end, int maxLines, List<Refinement> refine) {
    public static final int DEFAULT_MAX_LINES = 200;
    public static final int MAX_MAX_LINES = 1000;

    /**
     * @param regex a line of the block to look for; its named groups join the first line's groups
     * @param title the title once that line is seen
     */
    public record Refinement(String regex, String title) {
        public Refinement {
            Objects.requireNonNull(regex, "refine.regex");
            Objects.requireNonNull(title, "refine.title");
        }
    }

    public ReportSpec {
        if (maxLines <= 0) maxLines = DEFAULT_MAX_LINES;
        refine = refine == null ? List.of() : List.copyOf(refine);
    }
}
