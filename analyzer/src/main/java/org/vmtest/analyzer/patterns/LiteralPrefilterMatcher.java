package org.vmtest.analyzer.patterns;

import java.util.List;

/**
 * The pure-Java prefilter: the literal clauses each regex requires (see {@link RegexAnalysis#requirements}) in one
 * Aho-Corasick automaton; a pattern is a candidate when every clause of one of its alternatives has a literal in
 * the line.
 */
final class LiteralPrefilterMatcher extends PrefilterMatcher {

    private LiteralPrefilterMatcher(List<CompiledPattern> compiled, int[] always, List<CompiledPattern> byLiterals) {
        super(compiled, always, byLiterals);
    }

    static LiteralPrefilterMatcher build(List<CompiledPattern> compiled) {
        int[] always = compiled.stream().filter(c -> c.requirements.isEmpty()).mapToInt(c -> c.index).toArray();
        var byLiterals = compiled.stream().filter(c -> !c.requirements.isEmpty()).toList();
        return new LiteralPrefilterMatcher(compiled, always, byLiterals);
    }

    @Override
    void candidates(String text, Scratch sink) {
        if (literals != null) literals.search(text, sink);
    }

    @Override
    public String engine() {
        return "literal Aho-Corasick prefilter + java.util.regex (" + always.length + " of " + patterns.length
                + " patterns always checked)";
    }
}
