package org.vmtest.analyzer.patterns;

import java.util.List;

/** Builds the matcher of a library for the chosen engine. */
final class Matchers {
    private Matchers() {
    }

    static LineMatcher build(List<CompiledPattern> patterns, PatternLibrary.Engine engine) {
        return switch (engine) {
            case NAIVE -> new NaiveMatcher(patterns.stream().map(p -> p.regex).toList());
            // measured (docs/BENCHMARKS.md): the JNI wrapper's per-call cost makes Hyperscan slower per line than
            // the in-heap literal automaton here, so the literal prefilter is the default
            case LITERALS, AUTO -> LiteralPrefilterMatcher.build(patterns);
            case HYPERSCAN -> {
                LineMatcher hs = HyperscanPrefilterMatcher.tryBuild(patterns);
                if (hs == null) throw new IllegalStateException("Hyperscan is not available on this machine");
                yield hs;
            }
        };
    }
}
