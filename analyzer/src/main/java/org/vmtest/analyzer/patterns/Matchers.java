package org.vmtest.analyzer.patterns;

import java.util.List;

/** Builds the matcher of a library for the chosen engine. */
final class Matchers {
    private Matchers() {
    }

    static LineMatcher build(List<CompiledPattern> patterns, PatternLibrary.Engine engine) {
        return new NaiveMatcher(patterns.stream().map(p -> p.regex).toList());
    }
}
