package org.vmtest.worker.jobs;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** Time that moves only when a test (or the fake guest standing in for a slow one) moves it; sleeping moves it. */
final class ManualTicker implements Ticker {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Override
    public long nanos() {
        return nanos.get();
    }

    @Override
    public void sleep(Duration pause) {
        advance(pause);
    }

    void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }
}
