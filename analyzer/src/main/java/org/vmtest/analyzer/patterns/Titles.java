package org.vmtest.analyzer.patterns;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;

/** Title templates, their normalisation, and the signature that groups repeats of the same problem. */
final class Titles {
    /** Compiler clones of a function ({@code foo.isra.0}, {@code bar.cold}) are the same function. */
    private static final Pattern FUNCTION_CLONE = Pattern.compile(
            "\\b([A-Za-z_]\\w*)\\.(?:isra|constprop|part|cold|llvm|lto_priv|specialized)(?:\\.\\w+)*");
    /** A line number in a source file moves with every edit of the file: syzbot writes it {@code LINE}. */
    private static final Pattern SOURCE_LINE = Pattern.compile("(\\.(?:c|h|S|rs)):\\d+(?::\\d+)?\\b");
    private static final Pattern OFFSET = Pattern.compile("\\+0x[0-9a-fA-F]+(?:/0x[0-9a-fA-F]+)?");
    private static final Pattern HEX_PREFIXED = Pattern.compile("\\b0x[0-9a-fA-F]+\\b");
    private static final Pattern BARE_ADDRESS = Pattern.compile("\\b[0-9a-fA-F]{8,16}\\b");
    private static final Pattern DURATION = Pattern.compile("(?<![\\w.])\\d+(?:\\.\\d+)?(?:s|ms|us|min|h)\\b");
    private static final Pattern NUMBER = Pattern.compile("(?<![\\w.])\\d+(?:\\.\\d+)?(?![\\w.])");
    private static final Pattern MODULE_SUFFIX = Pattern.compile("\\s\\[[\\w-]+\\](?=\\s|$)");
    private static final Pattern SPACES = Pattern.compile("\\s{2,}");
    private static final int MAX_TITLE = 200;

    private Titles() {
    }

    /** Replaces {@code ${name}} by the named group's text (empty when the group did not take part). */
    static String render(String template, Map<String, String> groups) {
        int at = template.indexOf("${");
        if (at < 0) return template;
        // what PatternChecks.placeholders finds, scanned by hand: this runs for every hit of a progress pattern
        var out = new StringBuilder(template.length() + 32);
        int copied = 0;
        while (at >= 0) {
            int end = placeholderEnd(template, at);
            if (end < 0) {
                at = template.indexOf("${", at + 1);
                continue;
            }
            String value = groups.get(template.substring(at + 2, end));
            out.append(template, copied, at).append(value == null ? "" : value);
            copied = end + 1;
            at = template.indexOf("${", copied);
        }
        return out.append(template, copied, template.length()).toString();
    }

    /** Index of the closing brace of a {@code ${name}} starting at {@code at}, or -1 when none starts there. */
    private static int placeholderEnd(String t, int at) {
        int i = at + 2;
        if (i >= t.length() || !isAsciiLetter(t.charAt(i))) return -1;
        i++;
        while (i < t.length() && (isAsciiLetter(t.charAt(i)) || t.charAt(i) >= '0' && t.charAt(i) <= '9')) i++;
        return i < t.length() && t.charAt(i) == '}' ? i : -1;
    }

    private static boolean isAsciiLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    /**
     * Removes what differs between runs of the same bug: code offsets ({@code +0x1a/0x30}), addresses, numbers
     * (PIDs, CPUs, sizes, durations), source line numbers ({@code inode.c:LINE}), compiler clone suffixes
     * ({@code .isra.0}, {@code .cold}) and module tags, so the title is stable.
     */
    static String normalise(String title) {
        String t = OFFSET.matcher(title).replaceAll("");
        t = FUNCTION_CLONE.matcher(t).replaceAll("$1");
        t = SOURCE_LINE.matcher(t).replaceAll("$1:LINE");
        t = HEX_PREFIXED.matcher(t).replaceAll("ADDR");
        t = BARE_ADDRESS.matcher(t).replaceAll(m -> m.group().chars().anyMatch(Character::isDigit) ? "ADDR" : m.group());
        t = DURATION.matcher(t).replaceAll("N");
        t = NUMBER.matcher(t).replaceAll("N");
        t = MODULE_SUFFIX.matcher(t).replaceAll("");
        t = SPACES.matcher(t).replaceAll(" ").strip();
        if (t.length() > MAX_TITLE) t = t.substring(0, MAX_TITLE);
        return t;
    }

    static String signature(String normalisedTitle) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(normalisedTitle.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
