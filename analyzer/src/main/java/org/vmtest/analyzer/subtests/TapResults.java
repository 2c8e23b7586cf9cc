package org.vmtest.analyzer.subtests;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vmtest.protocol.verdicts.SubtestResult;

/**
 * The subtests one test reports in TAP 13 on its standard output, read line by line as they stream in. Output
 * counts as TAP only from a {@code TAP version 13} line on, so a test that merely prints "ok" reports nothing.
 * Understood: test points ({@code ok}/{@code not ok}, number, description, {@code # SKIP}, {@code # TODO}), the
 * plan ({@code 1..N}: test points it promised but never printed are failures), {@code Bail out!}, and a YAML
 * block's {@code message:} after a failed point. Indented lines (nested subtests) are skipped. Bounded: at most
 * {@link #MAX_SUBTESTS} results, names and messages cut at {@link #MAX_TEXT} characters.
 *
 * <p>Kept in the analyzer's per-job state between lines, so it is plain fields.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE, isGetterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonIgnoreProperties(ignoreUnknown = true)
public final class TapResults {
    static final int MAX_SUBTESTS = 1000;
    static final int MAX_TEXT = 300;
    private static final Pattern POINT = Pattern.compile(
            "^(not )?ok\\b\\s*(\\d+)?\\s*(?:-\\s*)?([^#]*?)\\s*(?:#\\s*(SKIP|TODO)\\S*\\s*(.*))?$",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern PLAN = Pattern.compile("^1\\.\\.(\\d+)");
    private static final Pattern MESSAGE = Pattern.compile("^\\s+message:\\s*['\"]?(.*?)['\"]?\\s*$");

    private boolean started;
    private boolean inYaml;
    private int planned = -1;
    private int points;
    private int dropped;
    private final List<SubtestResult> results = new ArrayList<>();

    /** One line of the test's standard output. Cheap unless the test speaks TAP. */
    public void line(String text) {
        if (!started) {
            if (text.startsWith("TAP version 13")) started = true;
            return;
        }
        if (inYaml) {
            if (text.strip().equals("...")) {
                inYaml = false;
            } else {
                Matcher m = MESSAGE.matcher(text);
                if (m.matches() && !results.isEmpty()) withMessage(m.group(1));
            }
            return;
        }
        if (text.startsWith(" ") || text.startsWith("\t")) {
            inYaml = text.strip().equals("---") && !results.isEmpty();
            return;
        }
        if (text.startsWith("Bail out!")) {
            add(new SubtestResult("bail out", false, false, cut(text.substring("Bail out!".length()).strip())));
            return;
        }
        Matcher plan = PLAN.matcher(text);
        if (plan.find()) {
            String n = plan.group(1);
            planned = n.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(n);
            return;
        }
        Matcher m = POINT.matcher(text);
        if (!m.matches()) return;
        points++;
        boolean ok = m.group(1) == null;
        String directive = m.group(4) == null ? "" : m.group(4).toUpperCase();
        String description = m.group(3).strip();
        String name = description.isEmpty() ? "#" + (m.group(2) != null ? m.group(2) : points) : description;
        boolean skipped = directive.equals("SKIP");
        // a TODO point is expected to fail: it does not fail the test
        boolean passed = ok || skipped || directive.equals("TODO");
        String note = m.group(5) == null ? "" : m.group(5).strip();
        add(new SubtestResult(cut(name), passed, skipped, passed ? cut(note) : ""));
    }

    /** Whether the output held TAP at all. */
    public boolean reported() {
        return started;
    }

    /** The subtests reported, with the promised ones that never came as failures; then starts over. */
    public List<SubtestResult> finish() {
        List<SubtestResult> out = new ArrayList<>(results);
        if (started && planned > points && out.size() < MAX_SUBTESTS) {
            out.add(new SubtestResult("plan", false, false, "planned " + planned + " tests, " + points + " ran"));
        }
        if (dropped > 0) {
            out.add(new SubtestResult("more", true, false, dropped + " more results not kept"));
        }
        started = false;
        inYaml = false;
        planned = -1;
        points = 0;
        dropped = 0;
        results.clear();
        return out;
    }

    private void add(SubtestResult r) {
        if (results.size() < MAX_SUBTESTS) {
            results.add(r);
        } else if (!r.passed()) {
            // a failure always stays in: it replaces the last passing result kept
            for (int i = results.size() - 1; i >= 0; i--) {
                if (results.get(i).passed()) {
                    results.remove(i);
                    results.add(r);
                    dropped++;
                    return;
                }
            }
            dropped++;
        } else {
            dropped++;
        }
    }

    private void withMessage(String message) {
        SubtestResult last = results.get(results.size() - 1);
        if (last.passed() || !last.message().isEmpty()) return;
        results.set(results.size() - 1, new SubtestResult(last.name(), false, last.skipped(), cut(message)));
    }

    private static String cut(String s) {
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT - 3) + "...";
    }
}
