package org.vmtest.analyzer.patterns;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.vmtest.protocol.Action;
import org.vmtest.protocol.Category;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.jobs.PatternSpec;

/**
 * Reads pattern files. Strict: an unknown key is a typo to report, and every mistake is reported with the file
 * and line of the pattern (and of the key, where it can be told) that holds it.
 */
final class PatternFiles {
    private static final ObjectMapper YAML = new YAMLMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private PatternFiles() {
    }

    /** One pattern as read from a file, with where it was found. */
    record Entry(PatternSpec spec, ReportSpec report, BootMark boot, String source, int line) {
    }

    record MetricYaml(String name, String unit, String group) {
    }

    record RefineYaml(String regex, String title) {
    }

    record ReportYaml(String end, Integer maxLines, List<RefineYaml> refine) {
    }

    record PatternYaml(String id, String regex, String category, String action, String title, List<String> phases,
                       List<String> sources, MetricYaml metric, ReportYaml report, String boot) {
    }

    /** Parses one file's text. {@code source} names it in errors. */
    static List<Entry> parse(String source, String yaml) throws PatternLoadException {
        var entries = new ArrayList<Entry>();
        try (JsonParser p = YAML.getFactory().createParser(yaml)) {
            JsonToken t = p.nextToken();
            if (t == null) return entries;
            if (t != JsonToken.START_OBJECT) {
                throw new PatternLoadException(source, line(p), "a pattern file is a mapping with the key 'patterns'");
            }
            boolean sawPatterns = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                int keyLine = line(p);
                p.nextToken();
                switch (key) {
                    case "patterns" -> {
                        sawPatterns = true;
                        if (p.currentToken() != JsonToken.START_ARRAY) {
                            throw new PatternLoadException(source, keyLine, "'patterns' must be a list");
                        }
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            entries.add(entry(source, p));
                        }
                    }
                    case "description" -> p.skipChildren();
                    default -> throw new PatternLoadException(source, keyLine,
                            "unknown key '" + key + "' (a pattern file has 'patterns' and an optional 'description')");
                }
            }
            if (!sawPatterns) throw new PatternLoadException(source, 1, "no 'patterns' list");
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw new PatternLoadException(source, at == null ? 0 : at.getLineNr(), "not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new PatternLoadException(source, 0, "cannot read: " + e.getMessage());
        }
        return entries;
    }

    private static Entry entry(String source, JsonParser p) throws IOException, PatternLoadException {
        int start = line(p);
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new PatternLoadException(source, start, "each entry of 'patterns' must be a mapping");
        }
        Map<String, Integer> keyLines = new HashMap<>();
        ObjectNode node = YAML.createObjectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            keyLines.put(key, line(p));
            p.nextToken();
            JsonNode value = YAML.readTree(p);
            node.set(key, value);
        }
        String id = node.path("id").asText("(no id)");
        PatternYaml y;
        try {
            y = YAML.treeToValue(node, PatternYaml.class);
        } catch (UnrecognizedPropertyException e) {
            String path = path(e);
            String top = path.contains(".") ? path.substring(0, path.indexOf('.')) : e.getPropertyName();
            throw new PatternLoadException(source, keyLines.getOrDefault(top, start), "pattern " + id + ": unknown key '"
                    + (path.isEmpty() ? e.getPropertyName() : path) + "' (known: " + e.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", ")) + ")");
        } catch (JsonMappingException e) {
            String path = path(e);
            String top = path.contains(".") ? path.substring(0, path.indexOf('.')) : path;
            throw new PatternLoadException(source, keyLines.getOrDefault(top, start), "pattern " + id + ": "
                    + (path.isEmpty() ? "" : path + ": ") + e.getOriginalMessage());
        }
        return toEntry(source, start, keyLines, y);
    }

    private static Entry toEntry(String source, int start, Map<String, Integer> keyLines, PatternYaml y)
            throws PatternLoadException {
        String id = y.id() == null ? "(no id)" : y.id();
        if (y.id() == null || y.id().isBlank()) throw new PatternLoadException(source, start, "pattern without 'id'");
        if (y.regex() == null) throw new PatternLoadException(source, start, "pattern " + id + ": missing 'regex'");
        if (y.category() == null) throw new PatternLoadException(source, start, "pattern " + id + ": missing 'category'");
        Category category = enumValue(Category.class, y.category(), source, keyLines.getOrDefault("category", start), id, "category");
        Action action = y.action() == null ? null
                : enumValue(Action.class, y.action(), source, keyLines.getOrDefault("action", start), id, "action");
        var phases = new ArrayList<Phase>();
        for (String s : y.phases() == null ? List.<String>of() : y.phases()) {
            phases.add(enumValue(Phase.class, s, source, keyLines.getOrDefault("phases", start), id, "phase"));
        }
        var sources = new ArrayList<LineSource>();
        for (String s : y.sources() == null ? List.<String>of() : y.sources()) {
            sources.add(enumValue(LineSource.class, s.replace('-', '_'), source, keyLines.getOrDefault("sources", start), id, "source"));
        }
        PatternSpec.MetricSpec metric = null;
        if (y.metric() != null) {
            if (y.metric().name() == null) {
                throw new PatternLoadException(source, keyLines.getOrDefault("metric", start), "pattern " + id + ": metric needs a 'name'");
            }
            metric = new PatternSpec.MetricSpec(y.metric().name(), y.metric().unit(), y.metric().group());
        }
        if (category == Category.METRIC && metric == null) {
            throw new PatternLoadException(source, start, "pattern " + id + ": category metric needs metric {name, unit, group}");
        }
        ReportSpec report = null;
        if (y.report() != null) {
            var refine = new ArrayList<ReportSpec.Refinement>();
            for (RefineYaml r : y.report().refine() == null ? List.<RefineYaml>of() : y.report().refine()) {
                if (r.regex() == null || r.title() == null) {
                    throw new PatternLoadException(source, keyLines.getOrDefault("report", start),
                            "pattern " + id + ": each report.refine entry needs 'regex' and 'title'");
                }
                refine.add(new ReportSpec.Refinement(r.regex(), r.title()));
            }
            int maxLines = y.report().maxLines() == null ? ReportSpec.DEFAULT_MAX_LINES : y.report().maxLines();
            if (maxLines < 1) {
                throw new PatternLoadException(source, keyLines.getOrDefault("report", start),
                        "pattern " + id + ": report.maxLines must be at least 1");
            }
            report = new ReportSpec(y.report().end(), maxLines, refine);
        }
        BootMark boot = null;
        if (y.boot() != null) {
            boot = switch (y.boot().strip()) {
                case "kernel-start" -> BootMark.KERNEL_START;
                case "kernel-stop" -> BootMark.KERNEL_STOP;
                default -> throw new PatternLoadException(source, keyLines.getOrDefault("boot", start),
                        "pattern " + id + ": unknown boot '" + y.boot() + "' (one of: kernel-start, kernel-stop)");
            };
            if (report != null) {
                throw new PatternLoadException(source, keyLines.getOrDefault("boot", start),
                        "pattern " + id + ": a boot marker is a single line and cannot have a report");
            }
        }
        var spec = new PatternSpec(y.id(), y.regex(), category, action, y.title(), phases, sources, metric);
        var problem = PatternValidation.check(spec, report);
        if (problem.isPresent()) {
            String top = problem.get().key().contains(".") ? problem.get().key().substring(0, problem.get().key().indexOf('.'))
                    : problem.get().key();
            throw new PatternLoadException(source, keyLines.getOrDefault(top, start), "pattern " + id + ": " + problem.get().message());
        }
        return new Entry(spec, report, boot, source, start);
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String text, String source, int line, String id, String what)
            throws PatternLoadException {
        try {
            return Enum.valueOf(type, text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            String valid = java.util.Arrays.stream(type.getEnumConstants()).map(PatternValidation::lower)
                    .collect(Collectors.joining(", "));
            throw new PatternLoadException(source, line, "pattern " + id + ": unknown " + what + " '" + text + "' (one of: " + valid + ")");
        }
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static int line(JsonParser p) {
        return p.currentTokenLocation().getLineNr();
    }
}
