package org.vmtest.analyzer.patterns;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.jobs.PatternSpec;

/**
 * A finding whose evidence is complete. A multi-line report (a kernel oops) is one hit, returned once when its
 * end marker, its grace or its bound is reached; later lines of the same report never produce another.
 *
 * @param title     normalised title: addresses, offsets and numbers removed, so the same bug reads the same in
 *                  every run
 * @param signature first 12 hex digits of the SHA-256 of the title
 * @param seq       the {@code Line.seq} of the line that matched (the first line of a report)
 * @param line      that line, ANSI escapes and control characters removed
 * @param block     the whole report for a multi-line report; empty otherwise
 * @param context   the lines just before {@code line}; empty for progress, success and metric hits
 * @param value     for metrics: the extracted number; null otherwise
 * @param unit      for metrics: the unit; null otherwise
 */
public record Hit(PatternSpec pattern, String title, String signature, Phase phase, LineSource source, long seq,
                  Instant time, String line, List<String> block, List<String> context, Double value, String unit) {
    public Hit {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(signature, "signature");
        block = block == null ? List.of() : List.copyOf(block);
        context = context == null ? List.of() : List.copyOf(context);
    }
}
