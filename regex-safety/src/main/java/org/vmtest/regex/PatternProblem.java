package org.vmtest.regex;

/**
 * What is wrong with a pattern.
 *
 * @param key     the key of the pattern that is wrong, e.g. {@code regex}, {@code report.end}
 * @param message the problem, naming the key and quoting what is wrong
 */
public record PatternProblem(String key, String message) {
}
