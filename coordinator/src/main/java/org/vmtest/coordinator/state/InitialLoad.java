package org.vmtest.coordinator.state;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Whether this coordinator has read the run and worker topics up to where they ended when it started. Until then
 * its view is incomplete: a run it does not know yet may well exist, so the API must not answer "no such run".
 */
public final class InitialLoad {
    private final CountDownLatch done = new CountDownLatch(1);
    private final Duration requestWait;
    private volatile String progress = "not started";

    /** @param requestWait how long a request waits for the load before it is refused */
    public InitialLoad(Duration requestWait) {
        this.requestWait = requestWait;
    }

    void progress(String progress) {
        this.progress = progress;
    }

    void done(String summary) {
        progress = summary;
        done.countDown();
    }

    public boolean isDone() {
        return done.getCount() == 0;
    }

    /** Waits as long as a request may for the load to end; true when it has. */
    public boolean awaitForRequest() {
        return await(requestWait);
    }

    /** Waits at most {@code timeout} for the load to end; true when it has. */
    public boolean await(Duration timeout) {
        try {
            return done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** What has been read so far, or a summary once done. */
    public String progress() {
        return progress;
    }
}
