package org.vmtest.analyzer.patterns;

import java.util.Optional;

/**
 * The pattern library's regex check for regexes from elsewhere (a known issue's {@code titleRegex}): it must
 * compile and must not be able to backtrack catastrophically.
 */
public final class RegexSafety {
    private RegexSafety() {
    }

    /** @return what is wrong with {@code regex}, naming {@code field}; empty when it is safe to run */
    public static Optional<String> problem(String field, String regex) {
        return PatternValidation.checkRegex(field, regex).map(p -> field + ": " + p.message());
    }
}
