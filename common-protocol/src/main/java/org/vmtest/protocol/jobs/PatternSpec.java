package org.vmtest.protocol.jobs;

import java.util.List;
import java.util.Objects;
import org.vmtest.protocol.Action;
import org.vmtest.protocol.Category;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;

/**
 * A pattern of the analyzer's library, as written in a pattern file or inline in a profile.
 *
 * @param id          stable identifier, e.g. {@code kernel.panic}
 * @param regex       a {@link java.util.regex.Pattern} searched for in each line
 * @param category    what a match means
 * @param action      what the analyzer does about it; defaults from the category
 * @param title       title template; {@code ${name}} inserts a named group
 * @param phases      phases it applies to; empty for all
 * @param sources     line sources it applies to; empty for all
 * @param metric      for {@link Category#METRIC}: metric name, unit and the named group that holds the value
 */
public record PatternSpec(
        String id,
        String regex,
        Category category,
        Action action,
        String title,
        List<Phase> phases,
        List<LineSource> sources,
        MetricSpec metric) {

    public record MetricSpec(String name, String unit, String group) {
        public MetricSpec {
            Objects.requireNonNull(name, "metric.name");
            if (unit == null) unit = "";
            if (group == null) group = "value";
        }
    }

    public PatternSpec {
        Objects.requireNonNull(id, "pattern.id");
        Objects.requireNonNull(regex, "pattern.regex");
        Objects.requireNonNull(category, "pattern.category");
        if (action == null) action = defaultAction(category);
        if (title == null || title.isBlank()) title = id;
        phases = phases == null ? List.of() : List.copyOf(phases);
        sources = sources == null ? List.of() : List.copyOf(sources);
        if (category == Category.METRIC && metric == null) {
            throw new IllegalArgumentException("pattern " + id + ": category METRIC needs metric {name, unit, group}");
        }
    }

    public static Action defaultAction(Category category) {
        return switch (category) {
            case CRITICAL -> Action.ABORT;
            case FAILURE -> Action.FAIL;
            default -> Action.NOTE;
        };
    }
}
