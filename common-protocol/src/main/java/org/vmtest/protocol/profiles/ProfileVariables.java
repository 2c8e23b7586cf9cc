package org.vmtest.protocol.profiles;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A run's variables as a profile file uses them: {@code ${NAME}} and {@code ${NAME:-default}} in every string field,
 * {@code $${} for a literal {@code ${}. Applied to a profile's tree before it is bound, so a variable may stand in a
 * regex ({@code expectOutput}) or a path as well as in a command.
 *
 * <p>What is substituted where:
 * <ul>
 *   <li>the profile's {@code name} and its {@code patterns} never (a pattern title's {@code ${group}} is the
 *       analyzer's, not a variable);</li>
 *   <li>a step's or test's {@code name} (also when it defaults to its {@code run}) gets a secret variable as
 *       {@value #MASK}: workers report those names on the stream topic;</li>
 *   <li>{@code description} and {@code tests[].expectOutput} take no secret variable (a description is shown, and a
 *       regex cannot be masked and stay a regex): refused;</li>
 *   <li>every other string field gets the value, or {@value #MASK} for a secret one in the masked copy.</li>
 * </ul>
 * A {@code ${} not followed by a name of {@link #NAME} and a closing brace stays as it is (shell's {@code ${x}}).
 */
public final class ProfileVariables {
    /** The names variables may have. */
    public static final Pattern NAME = Pattern.compile("[A-Z][A-Z0-9_]*");
    /** How a secret variable's value is shown. */
    public static final String MASK = "***";
    private static final Set<String> NO_SECRETS = Set.of("description", "expectOutput");

    private final Map<String, String> values;
    private final Set<String> secrets;
    private final boolean placeholders;

    private ProfileVariables(Map<String, String> values, Set<String> secrets, boolean placeholders) {
        this.values = values;
        this.secrets = secrets;
        this.placeholders = placeholders;
    }

    /** @param plain the run's variables; @param secret its secret variables (names distinct from {@code plain}) */
    public static ProfileVariables of(Map<String, String> plain, Map<String, String> secret) {
        Map<String, String> all = new java.util.HashMap<>(plain);
        all.putAll(secret);
        return new ProfileVariables(Map.copyOf(all), Set.copyOf(secret.keySet()), false);
    }

    /** No variables: a file with {@code ${NAME}} and no default cannot be resolved. */
    public static ProfileVariables none() {
        return of(Map.of(), Map.of());
    }

    /**
     * For checking a catalogue file before any run gives values: every variable is its default, or else its own
     * name ({@code ${DISK}} reads {@code DISK}).
     */
    public static ProfileVariables placeholders() {
        return new ProfileVariables(Map.of(), Set.of(), true);
    }

    /** A variable used in a profile that cannot be resolved there. */
    public static final class Unresolved extends Exception {
        private final List<Object> path;

        Unresolved(List<Object> path, String problem) {
            super(problem);
            this.path = List.copyOf(path);
        }

        /** Field names and list indices down to the field, e.g. {@code [tests, 0, run]}. */
        public List<Object> path() {
            return path;
        }

        /** {@code tests[0].run} */
        public String field() {
            return fieldPath(path);
        }
    }

    static String fieldPath(List<Object> path) {
        StringBuilder sb = new StringBuilder();
        for (Object p : path) {
            if (p instanceof Integer i) {
                sb.append('[').append(i).append(']');
            } else {
                if (sb.length() > 0) sb.append('.');
                sb.append(p);
            }
        }
        return sb.toString();
    }

    /**
     * A copy of {@code profile} (a profile's JSON/YAML tree) with the variables substituted.
     *
     * @param masked secret variables as {@value #MASK} everywhere (the copy the API shows), instead of their values
     *               (the copy a worker runs)
     */
    public JsonNode resolve(JsonNode profile, boolean masked) throws Unresolved {
        if (!(profile instanceof ObjectNode root)) return profile;
        ObjectNode copy = root.deepCopy();
        List<Object> path = new ArrayList<>();
        var fields = copy.fields();
        while (fields.hasNext()) {
            var field = fields.next();
            String key = field.getKey();
            if (key.equals("name") || key.equals("patterns")) continue;
            path.add(key);
            if (key.equals("install") || key.equals("tests")) nameSteps(field.getValue(), path);
            field.setValue(walk(field.getValue(), path, masked));
            path.remove(path.size() - 1);
        }
        return copy;
    }

    /** A step or test without a name is named by its command: give it that name now, masked, before substituting. */
    private void nameSteps(JsonNode list, List<Object> path) throws Unresolved {
        if (!(list instanceof ArrayNode items)) return;
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i) instanceof ObjectNode item && item.path("run").isTextual()
                    && item.path("name").asText("").isBlank()) {
                path.add(i);
                path.add("run");
                // escaped again: the name is walked like every field after this
                item.put("name", substitute(item.get("run").asText(), path, true, Use.NAME).replace("${", "$${"));
                path.remove(path.size() - 1);
                path.remove(path.size() - 1);
            }
        }
    }

    private JsonNode walk(JsonNode node, List<Object> path, boolean masked) throws Unresolved {
        if (node.isTextual()) {
            Object last = path.get(path.size() - 1);
            Use use = NO_SECRETS.contains(last) ? Use.NO_SECRET
                    : "name".equals(last) && path.size() > 1 ? Use.NAME : Use.VALUE;
            return TextNode.valueOf(substitute(node.asText(), path, masked, use));
        }
        if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                path.add(i);
                array.set(i, walk(array.get(i), path, masked));
                path.remove(path.size() - 1);
            }
        } else if (node instanceof ObjectNode object) {
            var fields = object.fields();
            while (fields.hasNext()) {
                var field = fields.next();
                path.add(field.getKey());
                field.setValue(walk(field.getValue(), path, masked));
                path.remove(path.size() - 1);
            }
        }
        return node;
    }

    private enum Use { VALUE, NAME, NO_SECRET }

    private String substitute(String text, List<Object> path, boolean masked, Use use) throws Unresolved {
        if (text.indexOf('$') < 0) return text;
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '$' && text.startsWith("$${", i)) {
                out.append("${");
                i += 3;
                continue;
            }
            if (c == '$' && text.startsWith("${", i)) {
                int close = text.indexOf('}', i + 2);
                Reference ref = close < 0 ? null : Reference.parse(text.substring(i + 2, close));
                if (ref != null) {
                    out.append(value(ref, path, masked, use));
                    i = close + 1;
                    continue;
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    private String value(Reference ref, List<Object> path, boolean masked, Use use) throws Unresolved {
        String value = values.get(ref.name());
        if (value == null) {
            if (ref.fallback() != null) return ref.fallback();
            if (placeholders) return ref.name();
            throw new Unresolved(path, fieldPath(path) + ": variable " + ref.name()
                    + " is neither given nor defaulted (give it with the run's variables, write ${" + ref.name()
                    + ":-default}, or $${" + ref.name() + "} for a literal ${" + ref.name() + "})");
        }
        if (!secrets.contains(ref.name())) return value;
        if (use == Use.NO_SECRET) {
            throw new Unresolved(path, fieldPath(path) + ": secret variable " + ref.name()
                    + " cannot be used here (this field is shown as it is); use it in a command, a path or the kernel"
                    + " command line");
        }
        return masked || use == Use.NAME ? MASK : value;
    }

    /** {@code NAME} or {@code NAME:-default} between {@code ${} and {@code }}. */
    private record Reference(String name, String fallback) {
        static Reference parse(String inner) {
            int sep = inner.indexOf(":-");
            String name = sep < 0 ? inner : inner.substring(0, sep);
            if (!NAME.matcher(name).matches()) return null;
            return new Reference(name, sep < 0 ? null : inner.substring(sep + 2));
        }
    }
}
