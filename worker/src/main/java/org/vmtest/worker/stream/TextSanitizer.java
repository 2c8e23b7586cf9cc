package org.vmtest.worker.stream;

import java.nio.charset.StandardCharsets;

/**
 * Turns the raw bytes of one line of guest output into text that is safe to store, show and match: valid UTF-8
 * (each malformed byte sequence becomes U+FFFD), no ANSI escape sequences, no control characters but tab.
 * A carriage return inside a line (progress bars redraw with it) becomes a space rather than disappearing, so
 * the words on either side stay apart and nothing the guest printed is lost to the analyzer.
 * Pure and thread-safe.
 */
public final class TextSanitizer {
    private static final char ESC = 0x1B;
    private static final char BEL = 0x07;
    private static final char CSI_C1 = 0x9B;
    private static final char OSC_C1 = 0x9D;

    private TextSanitizer() {
    }

    /** Sanitizes {@code len} bytes of one line (without its newline) starting at {@code off}. */
    public static String sanitize(byte[] bytes, int off, int len) {
        return sanitize(new String(bytes, off, len, StandardCharsets.UTF_8));
    }

    public static String sanitize(byte[] bytes) {
        return sanitize(bytes, 0, bytes.length);
    }

    /** Sanitizes text that is already decoded (its own malformed input already replaced). */
    public static String sanitize(String in) {
        int end = in.length();
        while (end > 0 && (in.charAt(end - 1) == '\r' || in.charAt(end - 1) == '\n')) end--;
        if (isClean(in, end)) return end == in.length() ? in : in.substring(0, end);
        StringBuilder out = new StringBuilder(end);
        int i = 0;
        while (i < end) {
            char c = in.charAt(i);
            if (c == ESC) {
                i = skipEscape(in, i + 1, end);
            } else if (c == CSI_C1) {
                i = skipCsi(in, i + 1, end);
            } else if (c == OSC_C1) {
                i = skipString(in, i + 1, end);
            } else if (c == '\r') {
                if (out.length() > 0 && out.charAt(out.length() - 1) != ' ') out.append(' ');
                i++;
            } else {
                if (c == '\t' || !isControl(c)) out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static boolean isClean(String in, int end) {
        for (int i = 0; i < end; i++) {
            char c = in.charAt(i);
            if (c != '\t' && isControl(c)) return false;
        }
        return true;
    }

    private static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7F && c <= 0x9F);
    }

    /** {@code i} is just past ESC; returns the index just past the whole sequence. */
    private static int skipEscape(String s, int i, int end) {
        if (i >= end) return end;
        char c = s.charAt(i);
        switch (c) {
            case '[':
                return skipCsi(s, i + 1, end);
            case ']':
            case 'P':
            case 'X':
            case '^':
            case '_':
                return skipString(s, i + 1, end);
            default:
                // nF sequences: intermediates 0x20-0x2F, then one final byte 0x30-0x7E; Fp/Fe/Fs: one final byte
                while (i < end && s.charAt(i) >= 0x20 && s.charAt(i) <= 0x2F) i++;
                return i < end && s.charAt(i) >= 0x30 && s.charAt(i) <= 0x7E ? i + 1 : i;
        }
    }

    /** Control Sequence: parameter bytes 0x30-0x3F, intermediate bytes 0x20-0x2F, a final byte 0x40-0x7E. */
    private static int skipCsi(String s, int i, int end) {
        while (i < end && s.charAt(i) >= 0x30 && s.charAt(i) <= 0x3F) i++;
        while (i < end && s.charAt(i) >= 0x20 && s.charAt(i) <= 0x2F) i++;
        return i < end && s.charAt(i) >= 0x40 && s.charAt(i) <= 0x7E ? i + 1 : i;
    }

    /** OSC/DCS/SOS/PM/APC strings run to BEL or ST (ESC \); an unterminated one runs to the end of the line. */
    private static int skipString(String s, int i, int end) {
        while (i < end) {
            char c = s.charAt(i);
            if (c == BEL || c == 0x9C) return i + 1;
            if (c == ESC) return i + 1 < end && s.charAt(i + 1) == '\\' ? i + 2 : i + 1;
            i++;
        }
        return end;
    }
}
