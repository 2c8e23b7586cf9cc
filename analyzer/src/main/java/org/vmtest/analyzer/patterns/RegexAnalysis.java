package org.vmtest.analyzer.patterns;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.vmtest.analyzer.patterns.RegexAst.Alt;
import org.vmtest.analyzer.patterns.RegexAst.Cls;
import org.vmtest.analyzer.patterns.RegexAst.Group;
import org.vmtest.analyzer.patterns.RegexAst.Lit;
import org.vmtest.analyzer.patterns.RegexAst.Node;
import org.vmtest.analyzer.patterns.RegexAst.Repeat;
import org.vmtest.analyzer.patterns.RegexAst.Seq;
import org.vmtest.analyzer.patterns.RegexAst.Zero;

/** What the loader learns from a regex before accepting it: whether it is safe, and which literals it needs. */
final class RegexAnalysis {
    /** Literals shorter than this select too many lines to be worth prefiltering on. */
    static final int MIN_LITERAL = 3;

    private RegexAnalysis() {
    }

    /**
     * Why this regex could backtrack catastrophically (exponential or high-polynomial time on a crafted line), or
     * empty if it cannot. Refused: a repeated group whose body itself repeats without bound ({@code (a+)+},
     * {@code (.*)*}, {@code (\w+\s?)*}); a repeated alternation whose branches can start with the same character
     * ({@code (a|ab)*}, {@code (\w|\d)+}); two adjacent unbounded repeats of overlapping characters
     * ({@code .*.*}, {@code \s*\s+}).
     */
    static Optional<String> catastrophicBacktracking(String regex) {
        Node root = RegexAst.parse(regex);
        var problems = new ArrayList<String>();
        check(root, problems);
        return problems.stream().findFirst();
    }

    private static void check(Node n, List<String> problems) {
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
            check(r.body(), problems);
        } else if (n instanceof Seq s) {
            Repeat previous = null;
            for (Node item : s.items()) {
                if (item instanceof Zero) continue;
                if (item instanceof Repeat r && r.unbounded()) {
                    if (previous != null && first(previous.body()).intersects(first(r.body()))) {
                        problems.add("two adjacent unbounded repeats of overlapping characters: backtracks in "
                                + "polynomial time (merge them into one)");
                    }
                    previous = r;
                } else {
                    previous = null;
                }
                check(item, problems);
            }
        } else if (n instanceof Alt a) {
            a.branches().forEach(b -> check(b, problems));
        } else if (n instanceof Group g) {
            check(g.body(), problems);
        }
    }

    private static boolean containsUnbounded(Node n) {
        if (n instanceof Repeat r) return r.unbounded() || containsUnbounded(r.body());
        if (n instanceof Seq s) return s.items().stream().anyMatch(RegexAnalysis::containsUnbounded);
        if (n instanceof Alt a) return a.branches().stream().anyMatch(RegexAnalysis::containsUnbounded);
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
        var firsts = alt.branches().stream().map(RegexAnalysis::first).toList();
        for (int i = 0; i < firsts.size(); i++) {
            for (int j = i + 1; j < firsts.size(); j++) {
                if (firsts.get(i).intersects(firsts.get(j))) return true;
            }
        }
        return false;
    }

    /** The characters a match of {@code n} can start with, case-folded; an empty match counts as "anything". */
    static BitSet first(Node n) {
        BitSet s;
        if (n instanceof Lit l) {
            s = new BitSet(RegexAst.NON_ASCII + 1);
            s.set(l.c() < RegexAst.NON_ASCII ? l.c() : RegexAst.NON_ASCII);
        } else if (n instanceof Cls c) {
            s = (BitSet) c.chars().clone();
        } else if (n instanceof Group g) {
            s = first(g.body());
        } else if (n instanceof Repeat r) {
            s = r.min() == 0 ? RegexAst.all() : first(r.body());
        } else if (n instanceof Alt a) {
            s = new BitSet(RegexAst.NON_ASCII + 1);
            for (Node b : a.branches()) s.or(first(b));
        } else if (n instanceof Seq q) {
            s = RegexAst.all();
            for (Node item : q.items()) {
                if (item instanceof Zero) continue;
                s = first(item);
                break;
            }
        } else {
            s = RegexAst.all();
        }
        for (char c = 'a'; c <= 'z'; c++) {
            if (s.get(c) || s.get(Character.toUpperCase(c))) {
                s.set(c);
                s.set(Character.toUpperCase(c));
            }
        }
        return s;
    }

    /**
     * Literals (ASCII, lower-cased) of which at least one occurs, case-insensitively, in every line the regex
     * matches; empty if no such set of literals of useful length exists (the pattern is then always checked).
     */
    static Set<String> requiredLiterals(String regex) {
        if (RegexAst.usesCommentsMode(regex)) return Set.of();
        Node root = RegexAst.parse(regex);
        Set<String> best = required(root);
        return best == null ? Set.of() : best;
    }

    /** Returns a set of alternatives one of which every match contains, or null if none is known. */
    private static Set<String> required(Node n) {
        if (n instanceof Group g) return required(g.body());
        if (n instanceof Repeat r) return r.min() >= 1 ? required(r.body()) : null;
        if (n instanceof Seq s) return requiredInSequence(s);
        if (n instanceof Alt a) {
            var union = new LinkedHashSet<String>();
            for (Node b : a.branches()) {
                Set<String> s = required(b);
                if (s == null) return null;
                union.addAll(s);
            }
            return union;
        }
        return null;
    }

    private static Set<String> requiredInSequence(Seq s) {
        var candidates = new ArrayList<Set<String>>();
        var run = new StringBuilder();
        for (Node item : s.items()) {
            String exact = exactText(item);
            if (exact != null) {
                appendRun(run, exact, candidates);
                continue;
            }
            if (item instanceof Repeat r && r.min() >= 1 && exactText(r.body()) != null) {
                // "ab+c": the first copy of b belongs to the run, then the run breaks
                appendRun(run, exactText(r.body()), candidates);
                flush(run, candidates);
                continue;
            }
            flush(run, candidates);
            Set<String> inner = required(item);
            if (inner != null) candidates.add(inner);
        }
        flush(run, candidates);
        Set<String> best = null;
        for (Set<String> c : candidates) {
            if (score(c) > score(best)) best = c;
        }
        return best != null && score(best) >= MIN_LITERAL ? best : null;
    }

    private static void appendRun(StringBuilder run, String text, List<Set<String>> candidates) {
        for (char c : text.toCharArray()) {
            if (c >= RegexAst.NON_ASCII) {
                flush(run, candidates);
            } else {
                run.append(Character.toLowerCase(c));
            }
        }
    }

    private static void flush(StringBuilder run, List<Set<String>> candidates) {
        if (!run.isEmpty()) {
            candidates.add(Set.of(run.toString().toLowerCase(Locale.ROOT)));
            run.setLength(0);
        }
    }

    private static int score(Set<String> alternatives) {
        if (alternatives == null || alternatives.isEmpty()) return 0;
        int min = Integer.MAX_VALUE;
        for (String a : alternatives) min = Math.min(min, a.length());
        return min;
    }

    /** The exact text a node always matches (a literal, a group of literals), or null. */
    private static String exactText(Node n) {
        if (n instanceof Lit l) return String.valueOf(l.c());
        if (n instanceof Group g) return exactText(g.body());
        if (n instanceof Seq s) {
            var b = new StringBuilder();
            for (Node item : s.items()) {
                String t = exactText(item);
                if (t == null) return null;
                b.append(t);
            }
            return b.toString();
        }
        if (n instanceof Repeat r && r.min() == r.max() && r.min() > 0 && r.min() <= 8) {
            String t = exactText(r.body());
            return t == null ? null : t.repeat(r.min());
        }
        return null;
    }
}
