package org.vmtest.analyzer.patterns;

/** The bare matcher of a library, for benchmarks that compare engines without the scanner around it. */
public final class BenchAccess {
    private BenchAccess() {
    }

    /** Matches one line's text; returns the indices of the patterns that match. */
    public interface Matcher {
        int[] match(String text);
    }

    public static Matcher matcher(PatternLibrary library, PatternLibrary.Engine engine) {
        LineMatcher m = library.withEngine(engine).matcher();
        return m::match;
    }
}
