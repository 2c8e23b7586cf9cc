package org.vmtest.regex;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RegexSafetyTest {
    @Test
    void aSafeRegexHasNoProblem() {
        assertThat(RegexSafety.problem("match.titleRegex", "^test selftest failed")).isEmpty();
    }

    @Test
    void aRegexThatDoesNotCompileIsNamedWithItsField() {
        assertThat(RegexSafety.problem("match.titleRegex", "(unclosed")).hasValueSatisfying(p ->
                assertThat(p).startsWith("match.titleRegex: ").contains("does not compile"));
    }

    @Test
    void aCatastrophicRegexIsRefused() {
        assertThat(RegexSafety.problem("match.titleRegex", "(a+)+$")).hasValueSatisfying(p ->
                assertThat(p).contains("refused"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"(a+)+b", "(.*)*x", "(\\w+\\s?)*$", "(a|ab)*c", "(\\w|\\d)+x", "x.*.*y", "\\s*\\s+z",
                            "(?:[a-z]+,)+end", "((ab)*)+"})
    void catastrophicBacktrackingPatternsAreRefused(String regex) {
        assertThat(RegexSafety.check("regex", regex)).hasValueSatisfying(p -> {
            assertThat(p.key()).isEqualTo("regex");
            assertThat(p.message()).startsWith("regex refused: ").endsWith(": " + regex);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"a+b+c", "foo (?<x>\\d+) bar .* baz", "(?:ab|cd)+", "\\[\\s*\\d+%\\]", "x{1,5}y*"})
    void ordinaryPatternsAreAccepted(String regex) {
        assertThat(RegexSafety.check("regex", regex)).isEmpty();
    }

    @Test
    void eachKindOfDangerSaysWhatToDoInstead() {
        assertThat(RegexSafety.catastrophicBacktracking("(\\w+\\s?)*$")).hasValueSatisfying(d ->
                assertThat(d).startsWith("nested quantifiers"));
        assertThat(RegexSafety.catastrophicBacktracking("(a|ab)*c")).hasValueSatisfying(d ->
                assertThat(d).startsWith("repeated alternation"));
        assertThat(RegexSafety.catastrophicBacktracking("\\s*\\s+z")).hasValueSatisfying(d ->
                assertThat(d).startsWith("two adjacent unbounded repeats"));
    }
}
