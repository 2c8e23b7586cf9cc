package org.vmtest.analyzer.patterns;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.vmtest.protocol.jobs.PatternSpec;
import org.vmtest.regex.PatternChecks;
import org.vmtest.regex.PatternProblem;
import org.vmtest.regex.RegexSafety;

/**
 * The checks of a pattern file's pattern: {@link PatternChecks} (what every pattern passes, profiles' too), with
 * the report framing that only pattern files carry checked between the regex and the title.
 */
final class PatternValidation {
    private PatternValidation() {
    }

    /** Problem with the pattern, or empty if it is sound. {@code report} may be null (a single-line pattern). */
    static Optional<PatternProblem> check(PatternSpec spec, ReportSpec report) {
        Optional<PatternProblem> head = PatternChecks.checkIdAndRegex(spec);
        if (head.isPresent()) return head;
        if (report != null) {
            Optional<PatternProblem> framing = checkReport(PatternChecks.namedGroups(spec.regex()), report);
            if (framing.isPresent()) return framing;
        }
        return PatternChecks.checkTitleAndMetric(spec);
    }

    private static Optional<PatternProblem> checkReport(Set<String> groups, ReportSpec report) {
        if (report.end() != null) {
            Optional<PatternProblem> end = RegexSafety.check("report.end", report.end());
            if (end.isPresent()) return end;
        }
        if (report.maxLines() > ReportSpec.MAX_MAX_LINES) {
            return Optional.of(new PatternProblem("report.maxLines", "maxLines " + report.maxLines()
                    + " is above the limit of " + ReportSpec.MAX_MAX_LINES));
        }
        var refine = report.refine();
        for (int i = 0; i < refine.size(); i++) {
            var r = refine.get(i);
            Optional<PatternProblem> p = RegexSafety.check("report.refine.regex", r.regex());
            if (p.isPresent()) return p;
            Set<String> available = new LinkedHashSet<>(groups);
            // groups add up over the block: a rule listed later can only have matched before this one did
            for (int j = i; j < refine.size(); j++) available.addAll(PatternChecks.namedGroups(refine.get(j).regex()));
            Optional<PatternProblem> t = PatternChecks.checkTitle("report.refine.title", r.title(), available);
            if (t.isPresent()) return t;
        }
        return Optional.empty();
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
