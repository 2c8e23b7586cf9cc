package org.vmtest.analyzer.patterns;

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

    /** The clean text without the kernel's {@code [   12.345678] } timestamp prefix, if it has one. */
    static String withoutTimestamp(String clean) {
        int n = clean.length();
        if (n < 3 || clean.charAt(0) != '[') return clean;
        int i = 1;
        while (i < n && clean.charAt(i) == ' ') i++;
        int digits = i;
        while (i < n && Character.isDigit(clean.charAt(i))) i++;
        if (i == digits || i >= n || clean.charAt(i) != '.') return clean;
        i++;
        int fraction = i;
        while (i < n && Character.isDigit(clean.charAt(i))) i++;
        if (i == fraction || i >= n || clean.charAt(i) != ']') return clean;
        i++;
        if (i < n && clean.charAt(i) == ' ') i++;
        return clean.substring(i);
    }
}
