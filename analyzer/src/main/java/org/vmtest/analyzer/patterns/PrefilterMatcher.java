package org.vmtest.analyzer.patterns;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * A prefilter names the few patterns that might match a line; java.util.regex confirms each, so the answer is
 * exactly the naive loop's while the cost per line barely grows with the library. Patterns the prefilter cannot
 * vouch for are always confirmed.
 */
abstract class PrefilterMatcher implements LineMatcher {
    /** Lines on which some regex ran out of budget (and was taken as not matching). */
    static final LongAdder EXHAUSTED = new LongAdder();

    final Pattern[] patterns;
    final int[] always;
    private final ThreadLocal<Scratch> scratch;

    PrefilterMatcher(List<CompiledPattern> compiled, int[] always) {
        this.patterns = compiled.stream().map(c -> c.regex).toArray(Pattern[]::new);
        this.always = always;
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(patterns.length));
    }

    /** Reports every candidate pattern index for the line into {@code sink} (repeats allowed). */
    abstract void candidates(String text, Scratch sink);

    @Override
    public int[] match(String text) {
        Scratch s = scratch.get();
        s.begin();
        for (int i : always) s.accept(i);
        candidates(text, s);
        if (s.count == 0) return NaiveMatcher.NONE;
        Arrays.sort(s.found, 0, s.count);
        int[] hits = null;
        int n = 0;
        BudgetedText budgeted = s.text.reset(text);
        for (int k = 0; k < s.count; k++) {
            int i = s.found[k];
            boolean matched;
            try {
                matched = patterns[i].matcher(budgeted).find();
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

    /** Per-thread candidate set: a stamp per pattern avoids clearing between lines. */
    static final class Scratch implements AhoCorasick.ValueSink {
        private final int[] stamp;
        private int generation;
        final int[] found;
        int count;
        final BudgetedText text = new BudgetedText();

        Scratch(int patterns) {
            stamp = new int[patterns];
            found = new int[patterns];
        }

        void begin() {
            count = 0;
            if (++generation == Integer.MAX_VALUE) {
                Arrays.fill(stamp, 0);
                generation = 1;
            }
        }

        @Override
        public void accept(int pattern) {
            if (stamp[pattern] != generation) {
                stamp[pattern] = generation;
                found[count++] = pattern;
            }
        }
    }
}
