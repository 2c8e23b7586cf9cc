package org.vmtest.worker.jobs;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The recent console output of one guest, for console steps to wait on: {@link #await} looks for a pattern in what
 * the console printed since the previous match (openQA's {@code wait_serial}), across line ends, so a prompt with no
 * newline after it ({@code login: }) matches. Bytes are read as ISO-8859-1, one char each: prompts are ASCII, and a
 * multi-byte character split between two reads cannot garble the text.
 *
 * <p>The console reader thread appends; the job thread waits. Keeps at most {@link #KEEP_CHARS} chars of unmatched
 * output (the oldest go first), so a flooding guest costs bounded memory.
 */
final class ConsoleTranscript {
    static final int KEEP_CHARS = 256 * 1024;

    private final StringBuilder text = new StringBuilder();
    private int matchedTo;
    private boolean ended;
    private boolean hungUp;

    /** From the console reader: more output. */
    synchronized void append(byte[] buf, int len) {
        for (int i = 0; i < len; i++) text.append((char) (buf[i] & 0xff));
        if (text.length() > 2 * KEEP_CHARS) {
            int drop = text.length() - KEEP_CHARS;
            text.delete(0, drop);
            matchedTo = Math.max(0, matchedTo - drop);
        }
        notifyAll();
    }

    /** The console ended (the guest is gone): no more output will come. */
    synchronized void end() {
        ended = true;
        notifyAll();
    }

    /** Ends every wait now and for good (the job is being aborted or released). */
    synchronized void hangUp() {
        hungUp = true;
        notifyAll();
    }

    /**
     * Waits until {@code pattern} matches output printed after the previous match, and moves past the match.
     *
     * @return whether it matched within {@code within}; false at once when the console ended or was hung up
     */
    synchronized boolean await(Pattern pattern, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            Matcher m = pattern.matcher(text).region(matchedTo, text.length());
            if (m.find()) {
                matchedTo = m.end();
                return true;
            }
            long left = deadline - System.nanoTime();
            if (ended || hungUp || left <= 0) return false;
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** The output after the last match, for a failure message; at most the last {@code chars}. */
    synchronized String unmatchedTail(int chars) {
        return text.substring(Math.max(matchedTo, text.length() - chars));
    }
}
