package org.vmtest.protocol.verdicts;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.vmtest.protocol.Action;
import org.vmtest.protocol.Category;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;

/**
 * A pattern matched a line of a job. A multi-line report (a kernel oops) is one finding whose {@code block}
 * holds the whole report.
 *
 * @param title     normalised: addresses and offsets removed, so the same bug reads the same in every run
 * @param signature short stable hash of the title, to group repeats across runs
 * @param lineSeq   the {@code Line.seq} of the first matching line
 * @param value     for metrics: the extracted number; null otherwise
 * @param knownIssue the known issue its title or signature matched when it was reported; null when none did
 */
public record Finding(String runId, String jobId, int attempt, Instant time, String patternId, Category category,
                      Action action, String title, String signature, Phase phase, LineSource source, long lineSeq,
                      String line, List<String> block, Double value, String unit, KnownIssueRef knownIssue)
        implements VerdictEvent {
    public Finding(String runId, String jobId, int attempt, Instant time, String patternId, Category category,
                   Action action, String title, String signature, Phase phase, LineSource source, long lineSeq,
                   String line, List<String> block, Double value, String unit) {
        this(runId, jobId, attempt, time, patternId, category, action, title, signature, phase, source, lineSeq, line,
                block, value, unit, null);
    }

    public Finding {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(patternId, "patternId");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(title, "title");
        if (signature == null) signature = "";
        if (line == null) line = "";
        block = block == null ? List.of() : List.copyOf(block);
    }
}
