package org.vmtest.analyzer.patterns;

import java.util.List;

/** Builds the matcher of a library for the chosen engine. */
final class Matchers {
    private Matchers() {
    }

    static LineMatcher build(List<CompiledPattern> patterns, PatternLibrary.Engine engine) {
        return switch (engine) {
            case NAIVE -> new NaiveMatcher(patterns.stream().map(p -> p.regex).toList());
            case LITERALS -> LiteralPrefilterMatcher.build(patterns);
            case HYPERSCAN, AUTO -> {
                LineMatcher hs = HyperscanPrefilterMatcher.tryBuild(patterns);
                if (hs == null && engine == PatternLibrary.Engine.HYPERSCAN) {
                    throw new IllegalStateException("Hyperscan is not available on this machine");
                }
                yield hs != null ? hs : LiteralPrefilterMatcher.build(patterns);
            }
        };
    }
}
