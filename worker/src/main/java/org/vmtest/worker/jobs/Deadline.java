package org.vmtest.worker.jobs;

import java.time.Duration;

/** A point in {@link Ticker} time with the moment it was set, so a message can say how long was allowed. */
record Deadline(Ticker ticker, long startNanos, long endNanos) {

    static Deadline in(Ticker ticker, Duration allowed) {
        long now = ticker.nanos();
        return new Deadline(ticker, now, now + allowed.toNanos());
    }

    /** The earlier of this and {@code allowed} from now. */
    Deadline within(Duration allowed) {
        long now = ticker.nanos();
        return new Deadline(ticker, now, Math.min(endNanos, now + allowed.toNanos()));
    }

    Duration left() {
        return Duration.ofNanos(Math.max(0, endNanos - ticker.nanos()));
    }

    boolean passed() {
        return ticker.nanos() >= endNanos;
    }

    /** Within {@code slack} of its end or past it. */
    boolean nearlyPassed(Duration slack) {
        return ticker.nanos() >= endNanos - slack.toNanos();
    }

    Duration allowed() {
        return Duration.ofNanos(endNanos - startNanos);
    }
}
