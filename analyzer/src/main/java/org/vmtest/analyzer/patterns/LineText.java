package org.vmtest.analyzer.patterns;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the patterns see of a console line. Consoles carry ANSI colour codes (systemd's {@code [FAILED]} is red),
 * carriage-return overwrites and stray control bytes; the kernel prefixes its lines with {@code [   12.345678]}.
 * Patterns are written against the clean text, and the text is capped so no line costs more than a bounded time.
 */
final class LineText {
    /** Longest text a regex ever sees. */
    static final int MAX_CHARS = 4096;

    private LineText() {
    }

    /** ANSI escape sequences and control characters (but tab) removed; capped at {@link #MAX_CHARS}. */
    static String clean(String raw) {
        if (raw == null) return "";
        int n = Math.min(raw.length(), MAX_CHARS);
        int i = 0;
        while (i < n) {
            char c = raw.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f || c >= 0x80 && c < 0xa0) break;
            i++;
        }
        if (i == n) return n == raw.length() ? raw : raw.substring(0, n);
        var out = new StringBuilder(n);
        out.append(raw, 0, i);
        while (i < n) {
            char c = raw.charAt(i);
            if (c == 0x1b) {
                i = skipEscape(raw, i, n);
                continue;
            }
            if (c == '\r') {
                // a carriage return overwrites what the terminal showed: keep what was printed last
                if (i + 1 < n) out.setLength(0);
            } else if (c == '\t' || c >= 0x20 && c != 0x7f && !(c >= 0x80 && c < 0xa0)) {
                out.append(c);
            }
            i++;
        }
        return out.toString();
    }

    private static int skipEscape(String s, int i, int n) {
        int j = i + 1;
        if (j >= n) return j;
        char kind = s.charAt(j);
        if (kind == '[') { // CSI: parameters and intermediates, then one final byte
            j++;
            while (j < n && (s.charAt(j) < 0x40 || s.charAt(j) > 0x7e)) j++;
            return Math.min(j + 1, n);
        }
        if (kind == ']') { // OSC: until BEL or ESC \
            j++;
            while (j < n && s.charAt(j) != 0x07 && s.charAt(j) != 0x1b) j++;
            return Math.min(j + 1, n);
        }
        return Math.min(j + 1, n);
    }

    /** A syslog/journal header before a kernel message: {@code Nov 26 03:00:00 host kernel: } or its ISO form. */
    private static final Pattern JOURNAL_KERNEL = Pattern.compile(
            "^(?:[A-Z][a-z]{2} [ 0-9]?[0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]+)?"
            + "|[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:[.,][0-9]+)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)"
            + " [^ ]+ kernel: ");
    /** The facility and level columns of {@code dmesg -x}: {@code kern  :warn  : }. */
    private static final Pattern DMESG_DECODED = Pattern.compile(
            "^(?:kern|user|mail|daemon|auth|syslog|lpr|news|uucp|cron|authpriv|ftp|local[0-7]) *:"
            + "(?:emerg|alert|crit|err|warn|notice|info|debug) *: ");
    /** The human-readable time of {@code dmesg -T}: {@code [Tue Nov 26 03:00:00 2024]}. */
    private static final Pattern HUMAN_TIME = Pattern.compile(
            "^\\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]?[0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{4}\\]");

    /**
     * The message of a kernel console or log line without what the kernel and log tools put before it, so that
     * {@code ^} anchors at the message: a journal/syslog header ending in {@code kernel: }, the columns of
     * {@code dmesg -x}, the {@code <4>} log level, the {@code [   12.345678]} timestamp (or {@code dmesg -T}'s
     * date), and the {@code [ T1234]} / {@code [ C0]} caller id of {@code CONFIG_PRINTK_CALLER}, then one space.
     * A line without such a prefix is returned as it is.
     */
    static String withoutTimestamp(String clean) {
        int n = clean.length();
        if (n < 3) return clean;
        int i = 0;
        char first = clean.charAt(0);
        if (first != '[' && first != '<') {
            if (first >= 'A' && first <= 'Z' || first >= '0' && first <= '9') {
                int k = clean.indexOf(" kernel: ");
                if (k < 0 || k > 80) return clean;
                Matcher m = JOURNAL_KERNEL.matcher(clean);
                if (!m.lookingAt()) return clean;
                i = m.end();
            } else if (first == 'k' || first == 'u' || first == 'd' || first == 'a' || first == 's' || first == 'l'
                    || first == 'm' || first == 'n' || first == 'c' || first == 'f') {
                int colon = clean.indexOf(':');
                if (colon < 3 || colon > 9) return clean;
                Matcher m = DMESG_DECODED.matcher(clean);
                if (!m.lookingAt()) return clean;
                i = m.end();
            } else {
                return clean;
            }
        }
        int level = logLevel(clean, i);
        if (level > i) i = level;
        int stamped = timestamp(clean, i);
        if (stamped == i && i < n && clean.charAt(i) == '[') {
            Matcher m = HUMAN_TIME.matcher(clean).region(i, n);
            if (m.lookingAt()) stamped = m.end();
        }
        if (stamped > i) {
            i = stamped;
            int caller = callerId(clean, i < n && clean.charAt(i) == ' ' ? i + 1 : i);
            if (caller > i) i = caller;
        }
        if (i == 0) return clean;
        if (i < n && clean.charAt(i) == ' ') i++;
        return clean.substring(i);
    }

    /** End of a {@code <N>} log level at {@code i}, or {@code i}. */
    private static int logLevel(String s, int i) {
        int n = s.length();
        if (i >= n || s.charAt(i) != '<') return i;
        int j = i + 1;
        while (j < n && j - i <= 3 && Character.isDigit(s.charAt(j))) j++;
        if (j == i + 1 || j >= n || s.charAt(j) != '>') return i;
        return j + 1;
    }

    /** End of a {@code [   12.345678]} timestamp at {@code i}, or {@code i}. */
    private static int timestamp(String s, int i) {
        int n = s.length();
        if (i >= n || s.charAt(i) != '[') return i;
        int j = i + 1;
        while (j < n && s.charAt(j) == ' ') j++;
        int digits = j;
        while (j < n && Character.isDigit(s.charAt(j))) j++;
        if (j == digits || j >= n || s.charAt(j) != '.') return i;
        j++;
        int fraction = j;
        while (j < n && Character.isDigit(s.charAt(j))) j++;
        if (j == fraction || j >= n || s.charAt(j) != ']') return i;
        return j + 1;
    }

    /** End of a {@code [ T1234]} or {@code [ C0]} caller id at {@code i}, or {@code i}. */
    private static int callerId(String s, int i) {
        int n = s.length();
        if (i + 3 >= n || s.charAt(i) != '[') return i;
        int j = i + 1;
        while (j < n && s.charAt(j) == ' ') j++;
        if (j >= n || s.charAt(j) != 'T' && s.charAt(j) != 'C') return i;
        j++;
        int digits = j;
        while (j < n && Character.isDigit(s.charAt(j))) j++;
        if (j == digits || j >= n || s.charAt(j) != ']') return i;
        return j + 1;
    }
}
