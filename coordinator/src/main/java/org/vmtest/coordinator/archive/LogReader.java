package org.vmtest.coordinator.archive;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vmtest.coordinator.core.ApiException;

/**
 * Serves an archived log whole, its last lines, or a byte range of it, as a {@link Slice} that is then copied to
 * the client in small chunks: a log is never read into memory, whatever its size.
 */
public final class LogReader {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
    private static final int MAX_TAIL = 100_000;

    private LogReader() {
    }

    private static final int CHUNK = 64 * 1024;

    /** A slice of a file: bytes {@code [start, end)} of the {@code length} it had when the slice was taken. */
    public record Slice(long start, long end, long length) {
        public long size() {
            return end - start;
        }
    }

    public static Slice all(Path file) throws IOException {
        long length = Files.size(file);
        return new Slice(0, length, length);
    }

    /** Copies the slice to {@code out}; bytes appended to the file meanwhile are not part of it. */
    public static void copy(Path file, Slice slice, OutputStream out) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
            long at = slice.start();
            while (at < slice.end()) {
                buffer.clear().limit((int) Math.min(CHUNK, slice.end() - at));
                int n = ch.read(buffer, at);
                if (n < 0) break;
                out.write(buffer.array(), 0, n);
                at += n;
            }
        }
    }

    /** The last {@code lines} lines, read backwards from the end so a big log costs what the tail costs. */
    public static Slice tail(Path file, int lines) throws IOException {
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
            return new Slice(start, length, length);
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
            return new Slice(start, endInclusive + 1, length);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("Range numbers too large", "Range");
        }
    }
}
