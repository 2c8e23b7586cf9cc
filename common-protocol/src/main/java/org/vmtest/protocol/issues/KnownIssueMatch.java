package org.vmtest.protocol.issues;

/**
 * What a known issue matches: a failure's exact {@code signature}, or a regular expression searched in its
 * normalised {@code title}. Exactly one of the two is set.
 */
public record KnownIssueMatch(String signature, String titleRegex) {
    public KnownIssueMatch {
        if (signature != null && signature.isBlank()) signature = null;
        if (titleRegex != null && titleRegex.isEmpty()) titleRegex = null;
        if ((signature == null) == (titleRegex == null)) {
            throw new IllegalArgumentException("match needs exactly one of signature or titleRegex");
        }
    }

    public static KnownIssueMatch signature(String signature) {
        return new KnownIssueMatch(signature, null);
    }

    public static KnownIssueMatch titleRegex(String regex) {
        return new KnownIssueMatch(null, regex);
    }
}
