package org.vmtest.worker.stream;

import java.util.Arrays;
import org.vmtest.protocol.stream.Line;

/**
 * Cuts a byte stream (a console, a command's stdout) into lines as the bytes arrive. A line longer than
 * {@link Line#MAX_TEXT_CHARS} bytes is handed on in parts, every part but the last marked continued, so memory
 * stays bounded whatever the guest prints. Parts end on a UTF-8 character boundary, and since a decoded
 * character never takes more chars than it took bytes, each part's text fits in one {@link Line}.
 * Not thread-safe: one assembler per stream.
 */
public final class LineAssembler {

    /** Receives each line or part; {@code bytes} is only valid during the call. */
    @FunctionalInterface
    public interface Sink {
        void line(byte[] bytes, int len, boolean continued);
    }

    private final Sink sink;
    private final int maxBytes;
    private byte[] pending = new byte[256];
    private int size;

    public LineAssembler(Sink sink) {
        this(sink, Line.MAX_TEXT_CHARS);
    }

    LineAssembler(Sink sink, int maxBytes) {
        if (maxBytes < 4) throw new IllegalArgumentException("maxBytes must hold a UTF-8 character");
        this.sink = sink;
        this.maxBytes = maxBytes;
    }

    public void feed(byte[] buf, int off, int len) {
        for (int i = off; i < off + len; i++) {
            byte b = buf[i];
            if (b == '\n') {
                sink.line(pending, size, false);
                size = 0;
                continue;
            }
            if (size == maxBytes) emitPart();
            if (size == pending.length) pending = Arrays.copyOf(pending, Math.min(maxBytes, size * 2));
            pending[size++] = b;
        }
    }

    /** Hands on what is left when the stream ends without a final newline. */
    public void finish() {
        if (size > 0) {
            sink.line(pending, size, false);
            size = 0;
        }
    }

    private void emitPart() {
        int cut = utf8Boundary(pending, size);
        sink.line(pending, cut, true);
        System.arraycopy(pending, cut, pending, 0, size - cut);
        size -= cut;
    }

    /** The largest length not above {@code len} that does not end inside a multi-byte character. */
    static int utf8Boundary(byte[] b, int len) {
        int lead = len - 1;
        while (lead >= 0 && len - lead <= 3 && (b[lead] & 0xC0) == 0x80) lead--;
        if (lead < 0 || len - lead > 4) return len;
        int need = sequenceLength(b[lead]);
        return need > len - lead ? (lead == 0 ? len : lead) : len;
    }

    private static int sequenceLength(byte lead) {
        int v = lead & 0xFF;
        if (v >= 0xF8) return 1;
        if (v >= 0xF0 && v <= 0xF7) return 4;
        if (v >= 0xE0) return 3;
        if (v >= 0xC0) return 2;
        return 1;
    }
}
