package org.vmtest.analyzer.patterns;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.vmtest.protocol.Category;
import org.vmtest.protocol.jobs.PatternSpec;

/** The checks every pattern passes, wherever it comes from (a file, a profile, a test). */
final class PatternValidation {
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]*");
    private static final Pattern NAMED_GROUP = Pattern.compile("(?<!\\\\)\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>");

    private PatternValidation() {
    }

    /** Problem with the pattern, or empty if it is sound. {@code where} says which key is wrong. */
    static Optional<Problem> check(PatternSpec spec, ReportSpec report) {
        if (!ID.matcher(spec.id()).matches()) {
            return problem("id", "id '" + spec.id() + "' must be lower case letters, digits, '.', '_' or '-'");
        }
        Optional<Problem> regex = checkRegex("regex", spec.regex());
        if (regex.isPresent()) return regex;
        Set<String> groups = namedGroups(spec.regex());
        Set<String> titleGroups = new LinkedHashSet<>(groups);
        if (report != null) {
            if (report.end() != null) {
                Optional<Problem> end = checkRegex("report.end", report.end());
                if (end.isPresent()) return end;
            }
            if (report.maxLines() > ReportSpec.MAX_MAX_LINES) {
                return problem("report.maxLines", "maxLines " + report.maxLines() + " is above the limit of "
                        + ReportSpec.MAX_MAX_LINES);
            }
            var refine = report.refine();
            for (int i = 0; i < refine.size(); i++) {
                var r = refine.get(i);
                Optional<Problem> p = checkRegex("report.refine.regex", r.regex());
                if (p.isPresent()) return p;
                Set<String> available = new LinkedHashSet<>(groups);
                // groups add up over the block: a rule listed later can only have matched before this one did
                for (int j = i; j < refine.size(); j++) available.addAll(namedGroups(refine.get(j).regex()));
                Optional<Problem> t = checkTitle("report.refine.title", r.title(), available);
                if (t.isPresent()) return t;
            }
        }
        Optional<Problem> title = checkTitle("title", spec.title(), titleGroups);
        if (title.isPresent()) return title;
        if (spec.metric() != null) {
            if (spec.category() != Category.METRIC) {
                return problem("metric", "metric is only for category metric, not " + lower(spec.category()));
            }
            if (spec.metric().name().isBlank()) return problem("metric.name", "metric.name is empty");
            if (!groups.contains(spec.metric().group())) {
                return problem("metric.group", "metric.group '" + spec.metric().group()
                        + "' is not a named group of the regex (it has " + describe(groups) + ")");
            }
        }
        return Optional.empty();
    }

    static Optional<Problem> checkRegex(String key, String regex) {
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            return problem(key, "regex does not compile: " + e.getDescription() + " near index " + e.getIndex()
                    + " of " + regex);
        }
        Optional<String> danger = RegexAnalysis.catastrophicBacktracking(regex);
        return danger.map(d -> new Problem(key, "regex refused: " + d + ": " + regex));
    }

    private static Optional<Problem> checkTitle(String key, String title, Set<String> groups) {
        for (String name : Titles.placeholders(title)) {
            if (!groups.contains(name)) {
                return problem(key, key + " uses ${" + name + "} but the regex has no group named '" + name
                        + "' (it has " + describe(groups) + ")");
            }
        }
        return Optional.empty();
    }

    static Set<String> namedGroups(String regex) {
        var names = new LinkedHashSet<String>();
        var m = NAMED_GROUP.matcher(regex);
        while (m.find()) names.add(m.group(1));
        return names;
    }

    private static String describe(Set<String> groups) {
        return groups.isEmpty() ? "no named groups" : "groups " + String.join(", ", groups);
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static Optional<Problem> problem(String key, String message) {
        return Optional.of(new Problem(key, message));
    }

    /** @param key the key of the pattern that is wrong, e.g. {@code regex}, {@code report.end} */
    record Problem(String key, String message) {
    }
}
