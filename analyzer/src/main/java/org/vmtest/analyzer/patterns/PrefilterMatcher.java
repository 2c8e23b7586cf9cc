package org.vmtest.analyzer.patterns;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A prefilter names the few patterns that might match a line; java.util.regex confirms each, so the answer is
 * exactly the naive loop's while the cost per line barely grows with the library. Patterns the prefilter cannot
 * vouch for are always confirmed.
 *
 * <p>Two cheap necessary conditions decide who is a candidate: some alternative of the pattern's requirements has
 * every clause satisfied by a literal found in the line (see {@link RegexAnalysis#requirements}), and a
 * start-anchored pattern's first character class admits the line's first character. Confirmation reuses one
 * {@link Matcher} per pattern per thread, and an anchored pattern is confirmed with {@code lookingAt}, which tries
 * index 0 only.
 */
abstract class PrefilterMatcher implements LineMatcher {
    /** Lines on which some regex ran out of budget (and was taken as not matching). */
    static final LongAdder EXHAUSTED = new LongAdder();
    /** Clause index bits in an automaton value: value = unit << CLAUSE_BITS | clause. */
    static final int CLAUSE_BITS = 3;

    final Pattern[] patterns;
    final int[] always;
    /** Literals of every clause of the patterns prefiltered by literals; null when there are none. */
    final AhoCorasick literals;
    private final boolean[] anchored;
    private final boolean[][] firstChars;
    /** A unit is one alternative of one pattern's requirements: its pattern, and the mask of all its clauses. */
    private final int[] unitPattern;
    private final int[] unitFullMask;
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
        var units = new ArrayList<int[]>();
        var words = new ArrayList<String>();
        var values = new ArrayList<Integer>();
        for (CompiledPattern c : byLiterals) {
            for (List<Set<String>> alternative : c.requirements) {
                int unit = units.size();
                units.add(new int[] {c.index, (1 << alternative.size()) - 1});
                for (int k = 0; k < alternative.size(); k++) {
                    for (String l : alternative.get(k)) {
                        words.add(l);
                        values.add(unit << CLAUSE_BITS | k);
                    }
                }
            }
        }
        this.unitPattern = units.stream().mapToInt(u -> u[0]).toArray();
        this.unitFullMask = units.stream().mapToInt(u -> u[1]).toArray();
        this.literals = words.isEmpty() ? null
                : new AhoCorasick(words, values.stream().mapToInt(Integer::intValue).toArray());
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(patterns, unitPattern, unitFullMask));
    }

    /** Reports candidates into {@code sink}: clause values through {@code accept}, whole patterns through {@code candidate}. */
    abstract void candidates(String text, Scratch sink);

    @Override
    public int[] match(String text) {
        Scratch s = scratch.get();
        s.begin();
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
                if (hits == null) hits = new int[Math.min(4, s.count)];
                if (n == hits.length) hits = Arrays.copyOf(hits, n * 2);
                hits[n++] = i;
            }
        }
        return hits == null ? NaiveMatcher.NONE : n == hits.length ? hits : Arrays.copyOf(hits, n);
    }

    /**
     * Per-thread candidate set and matchers. Generation stamps avoid clearing per-pattern and per-unit state between
     * lines: a unit's clause mask counts only when stamped with the current line.
     */
    static final class Scratch implements AhoCorasick.ValueSink {
        private final Pattern[] patterns;
        private final Matcher[] matchers;
        private final int[] unitPattern;
        private final int[] unitFullMask;
        private final int[] candidateStamp;
        private final int[] maskStamp;
        private final int[] mask;
        private int generation;
        final int[] found;
        int count;
        final BudgetedText text = new BudgetedText();

        Scratch(Pattern[] patterns, int[] unitPattern, int[] unitFullMask) {
            this.patterns = patterns;
            this.matchers = new Matcher[patterns.length];
            this.unitPattern = unitPattern;
            this.unitFullMask = unitFullMask;
            candidateStamp = new int[patterns.length];
            maskStamp = new int[unitPattern.length];
            mask = new int[unitPattern.length];
            found = new int[patterns.length];
        }

        void begin() {
            count = 0;
            if (++generation == Integer.MAX_VALUE) {
                Arrays.fill(candidateStamp, 0);
                Arrays.fill(maskStamp, 0);
                generation = 1;
            }
        }

        /** A literal of clause {@code value & 7} of unit {@code value >>> 3} occurs in the line. */
        @Override
        public void accept(int value) {
            int u = value >>> CLAUSE_BITS;
            int bit = 1 << (value & ((1 << CLAUSE_BITS) - 1));
            int m = maskStamp[u] == generation ? mask[u] | bit : bit;
            maskStamp[u] = generation;
            mask[u] = m;
            if (m == unitFullMask[u]) candidate(unitPattern[u]);
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
    }
}
