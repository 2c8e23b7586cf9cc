package org.vmtest.regex;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.vmtest.regex.RegexAst.Alt;
import org.vmtest.regex.RegexAst.Group;
import org.vmtest.regex.RegexAst.Node;
import org.vmtest.regex.RegexAst.Repeat;
import org.vmtest.regex.RegexAst.Seq;
import org.vmtest.regex.RegexAst.Zero;

/**
 * Whether a {@link java.util.regex.Pattern} regex is fit to run on untrusted console lines: it must compile and must
 * not be able to backtrack catastrophically. Asked of every pattern and of a known issue's {@code titleRegex}.
 */
public final class RegexSafety {
    private RegexSafety() {
    }

    /** @return what is wrong with {@code regex}, naming {@code field}; empty when it is safe to run */
    public static Optional<String> problem(String field, String regex) {
        return check(field, regex).map(p -> field + ": " + p.message());
    }

    /** What is wrong with {@code regex} under {@code key} (e.g. {@code regex}, {@code report.end}), or empty. */
    public static Optional<PatternProblem> check(String key, String regex) {
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            return Optional.of(new PatternProblem(key, "regex does not compile: " + e.getDescription() + " near index "
                    + e.getIndex() + " of " + regex));
        }
        Optional<String> danger = catastrophicBacktracking(regex);
        return danger.map(d -> new PatternProblem(key, "regex refused: " + d + ": " + regex));
    }

    /**
     * Why this regex could backtrack catastrophically (exponential or high-polynomial time on a crafted line), or
     * empty if it cannot. Refused: a repeated group whose body itself repeats without bound ({@code (a+)+},
     * {@code (.*)*}, {@code (\w+\s?)*}); a repeated alternation whose branches can start with the same character
     * ({@code (a|ab)*}, {@code (\w|\d)+}); two adjacent unbounded repeats of overlapping characters
     * ({@code .*.*}, {@code \s*\s+}).
     */
    public static Optional<String> catastrophicBacktracking(String regex) {
        Node root = RegexAst.parse(regex);
        var problems = new ArrayList<String>();
        collect(root, problems);
        return problems.stream().findFirst();
    }

    private static void collect(Node n, List<String> problems) {
        if (n instanceof Repeat r) {
            if (r.max() != 1 && r.max() != 0) {
                if (containsUnbounded(r.body())) {
                    problems.add("nested quantifiers: a repeated group contains an unbounded repeat, which can "
                            + "backtrack exponentially (write it without the inner repeat)");
                }
                Alt alt = topAlternation(r.body());
                if (alt != null && branchesOverlap(alt)) {
                    problems.add("repeated alternation whose branches can match the same character: "
                            + "backtracks exponentially (make the branches start with different characters)");
                }
            }
            collect(r.body(), problems);
        } else if (n instanceof Seq s) {
            Repeat previous = null;
            for (Node item : s.items()) {
                if (item instanceof Zero) continue;
                if (item instanceof Repeat r && r.unbounded()) {
                    if (previous != null && RegexAst.first(previous.body()).intersects(RegexAst.first(r.body()))) {
                        problems.add("two adjacent unbounded repeats of overlapping characters: backtracks in "
                                + "polynomial time (merge them into one)");
                    }
                    previous = r;
                } else {
                    previous = null;
                }
                collect(item, problems);
            }
        } else if (n instanceof Alt a) {
            a.branches().forEach(b -> collect(b, problems));
        } else if (n instanceof Group g) {
            collect(g.body(), problems);
        }
    }

    private static boolean containsUnbounded(Node n) {
        if (n instanceof Repeat r) return r.unbounded() || containsUnbounded(r.body());
        if (n instanceof Seq s) return s.items().stream().anyMatch(RegexSafety::containsUnbounded);
        if (n instanceof Alt a) return a.branches().stream().anyMatch(RegexSafety::containsUnbounded);
        if (n instanceof Group g) return containsUnbounded(g.body());
        return false;
    }

    private static Alt topAlternation(Node n) {
        if (n instanceof Alt a) return a;
        if (n instanceof Group g) return topAlternation(g.body());
        if (n instanceof Seq s && s.items().size() == 1) return topAlternation(s.items().get(0));
        return null;
    }

    private static boolean branchesOverlap(Alt alt) {
        var firsts = alt.branches().stream().map(RegexAst::first).toList();
        for (int i = 0; i < firsts.size(); i++) {
            for (int j = i + 1; j < firsts.size(); j++) {
                if (firsts.get(i).intersects(firsts.get(j))) return true;
            }
        }
        return false;
    }
}
