package org.vmtest.protocol.verdicts;

import java.util.List;
import java.util.Objects;
import org.vmtest.protocol.Phase;

/**
 * Why a job did not pass, condensed: the first decisive finding, its report and what came before it.
 *
 * @param block   the whole report (a kernel oops from its first line to its end marker)
 * @param context lines just before the first line of the report
 * @param knownIssue the known issue this failure matched when the verdict was given; null when none did
 */
public record FailureAnalysis(String title, String signature, String patternId, Phase phase, String firstLine,
                              List<String> block, List<String> context, KnownIssueRef knownIssue) {
    public FailureAnalysis(String title, String signature, String patternId, Phase phase, String firstLine,
                           List<String> block, List<String> context) {
        this(title, signature, patternId, phase, firstLine, block, context, null);
    }

    public FailureAnalysis {
        Objects.requireNonNull(title, "title");
        if (signature == null) signature = "";
        if (firstLine == null) firstLine = "";
        block = block == null ? List.of() : List.copyOf(block);
        context = context == null ? List.of() : List.copyOf(context);
    }

    public FailureAnalysis withKnownIssue(KnownIssueRef issue) {
        return new FailureAnalysis(title, signature, patternId, phase, firstLine, block, context, issue);
    }
}
