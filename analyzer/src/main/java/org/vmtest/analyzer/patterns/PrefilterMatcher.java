package org.vmtest.analyzer.patterns;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vmtest.regex.RegexAst;

/**
 * A prefilter names the few patterns that might match a line; java.util.regex confirms each, so the answer is
 * exactly the naive loop's while the cost per line barely grows with the library. Patterns the prefilter cannot
 * vouch for are always confirmed.
 *
 * <p>Cheap necessary conditions decide who is a candidate. Some alternative of the pattern's requirements (see
 * {@link RegexAnalysis#requirements}) must have all its clauses satisfied: the automaton holds only each
 * alternative's first clause, its longest and rarest, and the other clauses are looked up in the line only when
 * that one occurs, so common short words ({@code " in "}, {@code "failed"}) that many patterns also require do not
 * cost every line an automaton hit. A start-anchored pattern's first character class must admit the line's first
 * character. Confirmation reuses one {@link Matcher} per pattern per thread, and an anchored pattern is confirmed
 * with {@code lookingAt}, which tries index 0 only.
 */
abstract class PrefilterMatcher implements LineMatcher {
    /** Lines on which some regex ran out of budget (and was taken as not matching). */
    static final LongAdder EXHAUSTED = new LongAdder();

    final Pattern[] patterns;
    final int[] always;
    /** The first clause of every alternative of the patterns prefiltered by literals; null when there are none. */
    final AhoCorasick literals;
    private final boolean[] anchored;
    private final boolean[][] firstChars;
    /**
     * A unit is one alternative of one pattern's requirements: the automaton reports the unit when its first clause
     * occurs; {@code unitRest[u]} are its other clauses, each a set of lower-case literals one of which must occur.
     */
    private final int[] unitPattern;
    private final String[][][] unitRest;
    private final ThreadLocal<Scratch> scratch;

    /** @param byLiterals the patterns whose requirements go into the literal automaton */
    PrefilterMatcher(List<CompiledPattern> compiled, int[] always, List<CompiledPattern> byLiterals) {
        this.patterns = compiled.stream().map(c -> c.regex).toArray(Pattern[]::new);
        this.always = always;
        this.anchored = new boolean[patterns.length];
        this.firstChars = new boolean[patterns.length][];
        for (CompiledPattern c : compiled) {
            anchored[c.index] = c.anchored;
            firstChars[c.index] = c.firstChars;
        }
        var pattern = new ArrayList<Integer>();
        var rest = new ArrayList<String[][]>();
        var words = new ArrayList<String>();
        var values = new ArrayList<Integer>();
        for (CompiledPattern c : byLiterals) {
            for (List<Set<String>> alternative : c.requirements) {
                int unit = pattern.size();
                pattern.add(c.index);
                rest.add(alternative.stream().skip(1).map(clause -> clause.toArray(String[]::new)).toArray(String[][]::new));
                for (String l : alternative.get(0)) {
                    words.add(l);
                    values.add(unit);
                }
            }
        }
        this.unitPattern = pattern.stream().mapToInt(Integer::intValue).toArray();
        this.unitRest = rest.toArray(String[][][]::new);
        this.literals = words.isEmpty() ? null
                : new AhoCorasick(words, values.stream().mapToInt(Integer::intValue).toArray());
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(patterns, unitPattern, unitRest));
    }

    /** Reports candidates into {@code sink}: units through {@code accept}, whole patterns through {@code candidate}. */
    abstract void candidates(String text, Scratch sink);

    @Override
    public int[] match(String text) {
        Scratch s = scratch.get();
        s.begin(text);
        for (int i : always) s.candidate(i);
        candidates(text, s);
        if (s.count == 0) return NaiveMatcher.NONE;
        Arrays.sort(s.found, 0, s.count);
        int[] hits = null;
        int n = 0;
        int first = text.isEmpty() ? -1 : Math.min(text.charAt(0), RegexAst.NON_ASCII);
        BudgetedText budgeted = s.text.reset(text);
        for (int k = 0; k < s.count; k++) {
            int i = s.found[k];
            boolean[] starts = firstChars[i];
            if (starts != null && (first < 0 || !starts[first])) continue;
            boolean matched;
            try {
                Matcher m = s.matcher(i, budgeted);
                matched = anchored[i] ? m.lookingAt() : m.find();
            } catch (BudgetedText.Exhausted e) {
                EXHAUSTED.increment();
                matched = false;
            }
            if (matched) {
                s.matchedStamp[i] = s.generation;
                if (hits == null) hits = new int[Math.min(4, s.count)];
                if (n == hits.length) hits = Arrays.copyOf(hits, n * 2);
                hits[n++] = i;
            }
        }
        return hits == null ? NaiveMatcher.NONE : n == hits.length ? hits : Arrays.copyOf(hits, n);
    }

    /**
     * The confirming matcher of {@code pattern} on {@code text}, if this thread's last line was {@code text} and the
     * pattern matched it: an anchored pattern confirmed with {@code lookingAt} matches only at 0, where
     * {@code find} would find the same match, so its groups are the ones a fresh {@code find} gives.
     */
    @Override
    public Matcher lastMatch(String text, int pattern) {
        Scratch s = scratch.get();
        if (s.line != text || s.matchedStamp[pattern] != s.generation) return null;
        return s.matchers[pattern];
    }

    /**
     * Per-thread candidate set and matchers. Generation stamps avoid clearing per-pattern and per-unit state between
     * lines: a stamp counts only when it is the current line's.
     */
    static final class Scratch implements AhoCorasick.ValueSink {
        private final Pattern[] patterns;
        private final Matcher[] matchers;
        private final int[] unitPattern;
        private final String[][][] unitRest;
        private final int[] candidateStamp;
        private final int[] unitStamp;
        /** Generation of the line each pattern last matched (its matcher then holds that match). */
        private final int[] matchedStamp;
        private int generation;
        private String line = "";
        /** The line lower-cased, made when a unit's other clauses are first looked up; null until then. */
        private String lowerLine;
        final int[] found;
        int count;
        final BudgetedText text = new BudgetedText();

        Scratch(Pattern[] patterns, int[] unitPattern, String[][][] unitRest) {
            this.patterns = patterns;
            this.matchers = new Matcher[patterns.length];
            this.unitPattern = unitPattern;
            this.unitRest = unitRest;
            candidateStamp = new int[patterns.length];
            unitStamp = new int[unitPattern.length];
            matchedStamp = new int[patterns.length];
            found = new int[patterns.length];
        }

        void begin(String text) {
            line = text;
            lowerLine = null;
            count = 0;
            if (++generation == Integer.MAX_VALUE) {
                Arrays.fill(candidateStamp, 0);
                Arrays.fill(unitStamp, 0);
                Arrays.fill(matchedStamp, 0);
                generation = 1;
            }
        }

        /** The first clause of unit {@code u} occurs in the line: the pattern is a candidate if the rest occur too. */
        @Override
        public void accept(int u) {
            if (unitStamp[u] == generation) return;
            unitStamp[u] = generation;
            int p = unitPattern[u];
            if (candidateStamp[p] == generation) return;
            String[][] rest = unitRest[u];
            if (rest.length > 0) {
                // Locale.ROOT lower-casing turns every ASCII letter to lower case and may turn a non-ASCII character
                // into ASCII (the Kelvin sign into k): it can only find more, never miss a literal
                if (lowerLine == null) lowerLine = line.toLowerCase(Locale.ROOT);
                for (String[] clause : rest) {
                    if (!containsAny(lowerLine, clause)) return;
                }
            }
            candidate(p);
        }

        /** Pattern {@code p} must be confirmed on this line. */
        void candidate(int p) {
            if (candidateStamp[p] != generation) {
                candidateStamp[p] = generation;
                found[count++] = p;
            }
        }

        Matcher matcher(int p, BudgetedText line) {
            Matcher m = matchers[p];
            if (m == null) return matchers[p] = patterns[p].matcher(line);
            return m.reset(line);
        }

        private static boolean containsAny(String lowerCased, String[] literals) {
            for (String l : literals) {
                if (lowerCased.contains(l)) return true;
            }
            return false;
        }
    }
}
