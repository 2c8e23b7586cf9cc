package org.vmtest.protocol.stream;

import java.time.Instant;
import java.util.Objects;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;

/**
 * One line of output, already made safe by the worker: valid UTF-8, no control characters but tab, at most
 * {@link #MAX_TEXT_CHARS} characters. A longer line is split; every part but the last has {@code continued}.
 *
 * @param seq per job and attempt, starting at 1, without gaps: a consumer can count what it missed
 */
public record Line(String jobId, int attempt, long seq, LineSource source, Phase phase, Instant time, String text,
                   boolean continued) implements StreamEvent {
    public static final int MAX_TEXT_CHARS = 16 * 1024;

    public Line {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(text, "text");
        if (seq < 1) throw new IllegalArgumentException("seq starts at 1, got " + seq);
        if (text.length() > MAX_TEXT_CHARS) {
            throw new IllegalArgumentException("line text longer than " + MAX_TEXT_CHARS + " chars: split it");
        }
    }
}
