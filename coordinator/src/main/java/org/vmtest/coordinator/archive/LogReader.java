package org.vmtest.coordinator.archive;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vmtest.coordinator.core.ApiException;

/** Reads an archived log whole, its last lines, or a byte range of it. */
public final class LogReader {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
    private static final int MAX_TAIL = 100_000;

    private LogReader() {
    }

    /** A slice of a file: bytes {@code [start, end)} of {@code length}. */
    public record Slice(byte[] bytes, long start, long end, long length) {
    }

    public static byte[] all(Path file) throws IOException {
        return Files.readAllBytes(file);
    }

    /** The last {@code lines} lines, read backwards from the end so a big log costs what the tail costs. */
    public static byte[] tail(Path file, int lines) throws IOException {
        if (lines < 0 || lines > MAX_TAIL) {
            throw ApiException.badRequest("tail must be between 0 and " + MAX_TAIL, "tail");
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long length = f.length();
            long pos = length;
            int newlines = 0;
            byte[] buf = new byte[8192];
            long start = 0;
            boolean trailingNewline = length > 0 && readByte(f, length - 1) == '\n';
            int wanted = trailingNewline ? lines + 1 : lines;
            outer:
            while (pos > 0) {
                int n = (int) Math.min(buf.length, pos);
                pos -= n;
                f.seek(pos);
                f.readFully(buf, 0, n);
                for (int i = n - 1; i >= 0; i--) {
                    if (buf[i] == '\n' && ++newlines == wanted) {
                        start = pos + i + 1;
                        break outer;
                    }
                }
            }
            if (lines == 0) start = length;
            byte[] out = new byte[(int) (length - start)];
            f.seek(start);
            f.readFully(out);
            return out;
        }
    }

    private static int readByte(RandomAccessFile f, long at) throws IOException {
        f.seek(at);
        return f.read();
    }

    /**
     * One range of an HTTP {@code Range: bytes=a-b} header ({@code a-}, {@code -n} suffix ranges too).
     *
     * @throws ApiException 416 when the range is outside the file, 400 when the header is not understood
     */
    public static Slice range(Path file, String header) throws IOException {
        Matcher m = RANGE.matcher(header.trim());
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            throw ApiException.badRequest("Range must be bytes=start-end, bytes=start- or bytes=-suffix (one range)", "Range");
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long length = f.length();
            long start;
            long endInclusive;
            if (m.group(1).isEmpty()) {
                long suffix = Long.parseLong(m.group(2));
                start = Math.max(0, length - suffix);
                endInclusive = length - 1;
            } else {
                start = Long.parseLong(m.group(1));
                endInclusive = m.group(2).isEmpty() ? length - 1 : Math.min(Long.parseLong(m.group(2)), length - 1);
            }
            if (start >= length || endInclusive < start) {
                throw new ApiException(416, "range outside the log (" + length + " bytes)", "Range");
            }
            long size = endInclusive - start + 1;
            if (size > Integer.MAX_VALUE - 16) {
                throw new ApiException(416, "range too large for one response", "Range");
            }
            byte[] out = new byte[(int) size];
            f.seek(start);
            f.readFully(out);
            return new Slice(out, start, endInclusive + 1, length);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("Range numbers too large", "Range");
        }
    }
}
