package org.vmtest.analyzer.patterns;

import java.util.ArrayList;
import java.util.List;

/**
 * The pure-Java prefilter: the literals each regex requires (see {@link RegexAnalysis#requiredLiterals}) in one
 * Aho-Corasick automaton; a pattern is a candidate when one of its literals occurs in the line.
 */
final class LiteralPrefilterMatcher extends PrefilterMatcher {
    private final AhoCorasick automaton;

    private LiteralPrefilterMatcher(List<CompiledPattern> compiled, int[] always, AhoCorasick automaton) {
        super(compiled, always);
        this.automaton = automaton;
    }

    static LiteralPrefilterMatcher build(List<CompiledPattern> compiled) {
        var literals = new ArrayList<String>();
        var values = new ArrayList<Integer>();
        var always = new ArrayList<Integer>();
        for (CompiledPattern c : compiled) {
            if (c.literals.isEmpty()) {
                always.add(c.index);
                continue;
            }
            for (String l : c.literals) {
                literals.add(l);
                values.add(c.index);
            }
        }
        var automaton = new AhoCorasick(literals, values.stream().mapToInt(Integer::intValue).toArray());
        return new LiteralPrefilterMatcher(compiled, always.stream().mapToInt(Integer::intValue).toArray(), automaton);
    }

    @Override
    void candidates(String text, Scratch sink) {
        automaton.search(text, sink);
    }

    @Override
    public String engine() {
        return "literal Aho-Corasick prefilter + java.util.regex (" + always.length + " of " + patterns.length
                + " patterns always checked)";
    }
}
