package org.vmtest.worker.ssh;

/**
 * How a command run over SSH ended.
 *
 * @param exitCode the exit status, or -1 when there is none (timed out, killed by a signal, connection lost)
 * @param timedOut the command's own timeout ran out and it was cut off
 */
public record ExecResult(int exitCode, boolean timedOut, long durationMillis, String problem) {
    public boolean succeeded() {
        return !timedOut && exitCode == 0;
    }
}
