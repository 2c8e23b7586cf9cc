package org.vmtest.regex;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.vmtest.protocol.Category;
import org.vmtest.protocol.jobs.PatternSpec;

/**
 * The checks every pattern passes wherever it comes from (a pattern file, a profile, a test), so a pattern the
 * coordinator accepts is one the analyzer runs: a sound id, a regex {@link RegexSafety} accepts, a title whose
 * {@code ${group}} placeholders name groups of the regex, a metric read from a group that exists.
 */
public final class PatternChecks {
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]*");
    private static final Pattern NAMED_GROUP = Pattern.compile("(?<!\\\\)\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-zA-Z][a-zA-Z0-9]*)}");

    private PatternChecks() {
    }

    /** Problem with the pattern, or empty if it is sound. */
    public static Optional<PatternProblem> check(PatternSpec spec) {
        return checkIdAndRegex(spec).or(() -> checkTitleAndMetric(spec));
    }

    /**
     * What is wrong with a list of patterns that go together (a profile's, say): the first unsound pattern
     * ({@code pattern ID: what}) or an id used twice; empty if all are sound.
     */
    public static Optional<String> problemOfAll(List<PatternSpec> specs) {
        var seen = new HashSet<String>();
        for (PatternSpec s : specs) {
            var problem = check(s);
            if (problem.isPresent()) return Optional.of("pattern " + s.id() + ": " + problem.get().message());
            if (!seen.add(s.id())) return Optional.of("pattern id " + s.id() + " appears twice");
        }
        return Optional.empty();
    }

    /** The first checks, before anything that needs the regex's groups. */
    public static Optional<PatternProblem> checkIdAndRegex(PatternSpec spec) {
        if (!ID.matcher(spec.id()).matches()) {
            return problem("id", "id '" + spec.id() + "' must be lower case letters, digits, '.', '_' or '-'");
        }
        return RegexSafety.check("regex", spec.regex());
    }

    /** The checks that need the regex's named groups: the title's placeholders, then the metric. */
    public static Optional<PatternProblem> checkTitleAndMetric(PatternSpec spec) {
        Set<String> groups = namedGroups(spec.regex());
        Optional<PatternProblem> title = checkTitle("title", spec.title(), groups);
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

    /** Every {@code ${name}} of {@code title} must be one of {@code groups}; {@code key} names the title's key. */
    public static Optional<PatternProblem> checkTitle(String key, String title, Set<String> groups) {
        for (String name : placeholders(title)) {
            if (!groups.contains(name)) {
                return problem(key, key + " uses ${" + name + "} but the regex has no group named '" + name
                        + "' (it has " + describe(groups) + ")");
            }
        }
        return Optional.empty();
    }

    /** The names of the regex's named groups, in order. */
    public static Set<String> namedGroups(String regex) {
        var names = new LinkedHashSet<String>();
        var m = NAMED_GROUP.matcher(regex);
        while (m.find()) names.add(m.group(1));
        return names;
    }

    /** The group names a title template refers to as {@code ${name}}, in order. */
    public static Set<String> placeholders(String template) {
        var names = new LinkedHashSet<String>();
        var m = PLACEHOLDER.matcher(template);
        while (m.find()) names.add(m.group(1));
        return names;
    }

    private static String describe(Set<String> groups) {
        return groups.isEmpty() ? "no named groups" : "groups " + String.join(", ", groups);
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static Optional<PatternProblem> problem(String key, String message) {
        return Optional.of(new PatternProblem(key, message));
    }
}
