package org.vmtest.analyzer.patterns;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.vmtest.regex.RegexAst;
import org.vmtest.regex.RegexAst.Alt;
import org.vmtest.regex.RegexAst.Group;
import org.vmtest.regex.RegexAst.Lit;
import org.vmtest.regex.RegexAst.Node;
import org.vmtest.regex.RegexAst.Repeat;
import org.vmtest.regex.RegexAst.Seq;
import org.vmtest.regex.RegexAst.Zero;

/**
 * Which literals every match of a regex needs, and where it can start: what the prefilter learns from a regex. Whether
 * the regex is safe to run at all is {@link org.vmtest.regex.RegexSafety}'s question, asked before this one.
 */
final class RegexAnalysis {
    /** Literals shorter than this select too many lines to be worth prefiltering on. */
    static final int MIN_LITERAL = 3;

    private RegexAnalysis() {
    }

    /** At most this many clauses per pattern: the prefilter keeps one bit per clause. */
    static final int MAX_CLAUSES = 8;

    /**
     * What every line the regex matches must contain: a list of alternatives (one per branch of a top-level
     * alternation, else just one), each a conjunction of clauses (see {@link #requiredClauses}). A line can match
     * only if some alternative has every clause satisfied. Empty if some branch requires nothing of useful length
     * (the pattern is then always checked). Splitting the branches keeps {@code Welcome to emergency mode!|Reached
     * target Emergency Mode} from being a candidate on every {@code Reached target} line.
     */
    static List<List<Set<String>>> requirements(String regex) {
        if (RegexAst.usesCommentsMode(regex) || usesUnicodeCase(regex)) return List.of();
        Node root = unwrap(RegexAst.parse(regex));
        List<Node> branches = root instanceof Alt a ? a.branches() : List.of(root);
        var alternatives = new ArrayList<List<Set<String>>>();
        for (Node branch : branches) {
            List<Set<String>> clauses = best(clauses(branch));
            if (clauses.isEmpty()) return List.of();
            alternatives.add(clauses);
        }
        return List.copyOf(alternatives);
    }

    /**
     * What every line the regex matches must contain, as a conjunction of clauses: each clause is a set of literals
     * (ASCII, lower-cased) at least one of which occurs in the line, case-insensitively. Empty if nothing of useful
     * length is known. Requiring every clause, not just the best one, is what keeps
     * {@code (?:\[  OK  \] |systemd\[1\]: )Mounted (.+)} from being a candidate on every systemd line.
     */
    static List<Set<String>> requiredClauses(String regex) {
        if (RegexAst.usesCommentsMode(regex) || usesUnicodeCase(regex)) return List.of();
        return best(clauses(RegexAst.parse(regex)));
    }

    /** The node under groups and sequences of one consuming item ({@code (?:a|b)}, {@code ^(?:a|b)} → the alternation). */
    private static Node unwrap(Node n) {
        while (true) {
            if (n instanceof Group g) {
                n = g.body();
            } else if (n instanceof Seq s && s.items().stream().filter(i -> !(i instanceof Zero)).count() == 1) {
                n = s.items().stream().filter(i -> !(i instanceof Zero)).findFirst().orElseThrow();
            } else {
                return n;
            }
        }
    }

    /**
     * Distinct clauses of useful length, the longest (rarest) first, at most {@link #MAX_CLAUSES}. A clause shorter
     * than {@link #MIN_LITERAL} is kept only beside a long one, and only when each of its literals holds a
     * character that healthy console output seldom prints ({@code "% "} of {@code \d+% done}): it then rules out
     * lines the long clause alone would let through, at the price of a few automaton hits per line.
     */
    private static List<Set<String>> best(List<Set<String>> found) {
        var distinct = new ArrayList<>(new LinkedHashSet<>(found));
        var clauses = new ArrayList<Set<String>>();
        var shortRare = new ArrayList<Set<String>>();
        for (Set<String> c : distinct) {
            if (score(c) >= MIN_LITERAL) {
                clauses.add(c);
            } else if (score(c) > 0 && c.stream().allMatch(RegexAnalysis::holdsRareCharacter)) {
                shortRare.add(c);
            }
        }
        if (clauses.isEmpty()) return List.of();
        clauses.sort((a, b) -> Integer.compare(score(b), score(a)));
        clauses.addAll(shortRare);
        return List.copyOf(clauses.subList(0, Math.min(MAX_CLAUSES, clauses.size())));
    }

    /** Characters that are rare in healthy console output, so that even a one- or two-character literal is selective. */
    private static final String RARE_CHARACTERS = "%#@!<>{}|~^$&*?;\"`";

    private static boolean holdsRareCharacter(String literal) {
        return literal.chars().anyMatch(ch -> RARE_CHARACTERS.indexOf(ch) >= 0);
    }

    /**
     * Whether the regex turns on Unicode case folding or Unicode character classes: then a non-ASCII character
     * (the Kelvin sign for {@code k}, say) can match an ASCII literal, which the ASCII prefilter would not see.
     */
    static boolean usesUnicodeCase(String regex) {
        return regex.matches("(?s).*\\(\\?[a-zA-Z]*[uU][a-zA-Z-]*[:)].*");
    }

    /**
     * The characters a match can start with when every match starts at the beginning of the line (the regex
     * begins with {@code ^} outside any alternation and never turns on multi-line mode); null otherwise, or when
     * the first character could be anything. Index {@link RegexAst#NON_ASCII} stands for every non-ASCII char.
     */
    static boolean[] anchoredFirstChars(String regex) {
        if (!startAnchored(regex)) return null;
        BitSet first = RegexAst.first(RegexAst.parse(regex));
        if (first.cardinality() > RegexAst.NON_ASCII) return null;
        var chars = new boolean[RegexAst.NON_ASCII + 1];
        first.stream().forEach(c -> chars[c] = true);
        return chars;
    }

    /** Every match starts at index 0: a leading {@code ^}, no top-level alternation, no multi-line mode. */
    static boolean startAnchored(String regex) {
        if (!regex.startsWith("^") || RegexAst.usesCommentsMode(regex) || usesUnicodeCase(regex)) return false;
        if (regex.matches("(?s).*\\(\\?[a-zA-Z]*m[a-zA-Z-]*[:)].*")) return false;
        return !(RegexAst.parse(regex) instanceof Alt);
    }

    /** Clauses that every match of {@code n} satisfies (possibly short ones: the caller filters). */
    private static List<Set<String>> clauses(Node n) {
        if (n instanceof Group g) return clauses(g.body());
        if (n instanceof Repeat r) return r.min() >= 1 ? clauses(r.body()) : List.of();
        if (n instanceof Seq s) return clausesInSequence(s);
        if (n instanceof Alt a) {
            // a match takes one branch: what it must contain is one of the branches' best clauses
            var union = new LinkedHashSet<String>();
            for (Node b : a.branches()) {
                Set<String> best = null;
                for (Set<String> c : clauses(b)) {
                    if (score(c) > score(best)) best = c;
                }
                if (score(best) < MIN_LITERAL) return List.of();
                union.addAll(best);
            }
            return List.of(union);
        }
        return List.of();
    }

    private static List<Set<String>> clausesInSequence(Seq s) {
        var clauses = new ArrayList<Set<String>>();
        var run = new StringBuilder();
        for (Node item : s.items()) {
            String exact = exactText(item);
            if (exact != null) {
                appendRun(run, exact, clauses);
                continue;
            }
            if (item instanceof Repeat r && r.min() >= 1 && exactText(r.body()) != null) {
                // "ab+c": the first copy of b belongs to the run, then the run breaks
                appendRun(run, exactText(r.body()), clauses);
                flush(run, clauses);
                continue;
            }
            flush(run, clauses);
            clauses.addAll(clauses(item));
        }
        flush(run, clauses);
        return clauses;
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
