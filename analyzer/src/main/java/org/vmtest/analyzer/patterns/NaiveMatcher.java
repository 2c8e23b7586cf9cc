package org.vmtest.analyzer.patterns;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/** The reference: every regex of the library, one after another. Exact, and slow as the library grows. */
final class NaiveMatcher implements LineMatcher {
    static final int[] NONE = new int[0];
    private final Pattern[] patterns;

    NaiveMatcher(List<Pattern> patterns) {
        this.patterns = patterns.toArray(Pattern[]::new);
    }

    @Override
    public int[] match(String text) {
        int[] hits = null;
        int n = 0;
        for (int i = 0; i < patterns.length; i++) {
            if (patterns[i].matcher(text).find()) {
                if (hits == null) hits = new int[4];
                if (n == hits.length) hits = Arrays.copyOf(hits, n * 2);
                hits[n++] = i;
            }
        }
        return hits == null ? NONE : Arrays.copyOf(hits, n);
    }

    @Override
    public String engine() {
        return "java.util.regex loop";
    }
}
