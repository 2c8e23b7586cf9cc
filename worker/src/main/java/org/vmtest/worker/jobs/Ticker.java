package org.vmtest.worker.jobs;

import java.time.Duration;

/**
 * The job's monotonic time: deadlines, phase timings and the pauses between retries. Injected, so a test can run a
 * ten-minute phase timeout in no time.
 */
public interface Ticker {
    /** The real one: {@link System#nanoTime()} and {@link Thread#sleep}. */
    Ticker SYSTEM = new Ticker() {
        @Override
        public long nanos() {
            return System.nanoTime();
        }

        @Override
        public void sleep(Duration pause) throws InterruptedException {
            Thread.sleep(pause.toMillis());
        }
    };

    /** Nanoseconds from an arbitrary origin; only differences mean anything. */
    long nanos();

    void sleep(Duration pause) throws InterruptedException;

    default long millisSince(long startNanos) {
        return Duration.ofNanos(nanos() - startNanos).toMillis();
    }
}
