package org.vmtest.analyzer.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

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
}
