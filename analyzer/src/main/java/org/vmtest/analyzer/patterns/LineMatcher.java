package org.vmtest.analyzer.patterns;

/**
 * Finds which patterns of a library match a line. Every implementation answers exactly what a loop of
 * {@code Pattern.matcher(text).find()} over the library would answer.
 */
interface LineMatcher {
    /** Pattern indices that match, ascending; an empty array (shared) when none does. */
    int[] match(String text);

    /** A short name for logs and benchmarks. */
    String engine();
}
