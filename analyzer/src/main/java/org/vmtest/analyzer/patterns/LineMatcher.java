package org.vmtest.analyzer.patterns;

/**
 * Finds which patterns of a library match a line. Every implementation answers exactly what a loop of
 * {@code Pattern.matcher(text).find()} over the library would answer.
 */
interface LineMatcher {
    /** Pattern indices that match, ascending; an empty array (shared) when none does. */
    int[] match(String text);

    /**
     * The match of pattern {@code pattern} that this thread's last {@link #match} call on {@code text} confirmed,
     * for its groups; null when there is none at hand (the caller then runs the regex itself). Valid until this
     * thread's next {@code match} call.
     */
    default java.util.regex.Matcher lastMatch(String text, int pattern) {
        return null;
    }

    /** A short name for logs and benchmarks. */
    String engine();
}
