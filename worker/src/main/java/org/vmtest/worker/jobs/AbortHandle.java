package org.vmtest.worker.jobs;

import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.control.ControlCommand;

/**
 * Everything other threads do to a running job, and everything they share with its thread: an abort (a control
 * command) pauses the guest at once and destroys it right after; a release (the worker shuts down) destroys it.
 * Either ends whatever the job thread was waiting for; the job thread sees it at its next {@link #checkStopped()}.
 * Also keeps the abort's timings (issued, guest stopped, domain gone) and records them once.
 */
public final class AbortHandle {
    private static final Logger LOG = LoggerFactory.getLogger(AbortHandle.class);

    /** Where an abort's figures go (the worker's abort statistics and metrics). */
    @FunctionalInterface
    public interface Recorder {
        void abort(long stoppedMillis, long goneMillis);
    }

    private final String jobId;
    private final String domainName;
    private final GuestSession guest;
    private final InstantSource clock;
    private final Recorder recorder;
    private final AtomicBoolean stopIssued = new AtomicBoolean();
    /** Epoch millis at which, after an abort, the guest was seen stopped (paused or gone) and the domain gone; 0 = not yet. */
    private final AtomicLong stoppedAt = new AtomicLong();
    private final AtomicLong goneAt = new AtomicLong();
    private volatile boolean paused;
    private volatile ControlCommand abort;
    private volatile long issuedAtMillis;
    private volatile boolean released;

    public AbortHandle(String jobId, String domainName, GuestSession guest, InstantSource clock, Recorder recorder) {
        this.jobId = jobId;
        this.domainName = domainName;
        this.guest = guest;
        this.clock = clock;
        this.recorder = recorder;
    }

    /**
     * Obeys a control command: pauses the guest now, on the caller's thread (milliseconds), then destroys the
     * domain on a thread of its own, so that the caller (the control listener) is free for the next command while
     * libvirt takes its time. The job thread then ends the job as ABORTED. A second command for the same job does
     * nothing (the analyzer sends each abort twice).
     *
     * @param issuedAtMillis the control record's timestamp, to measure how long the abort took
     */
    public void abort(ControlCommand command, long issuedAtMillis) {
        synchronized (this) {
            if (abort != null) return;
            this.issuedAtMillis = issuedAtMillis;
            abort = command;
        }
        LOG.info("{} for job {}: {}", command.getClass().getSimpleName(), command.jobId(), command.reason());
        // no guest yet: a fetch of the job's artifacts ends now; a domain being created is stopped by the job
        // thread as soon as it has it
        if (guest.poweredOn()) {
            stopForAbort();
        } else {
            guest.stopStarting();
        }
    }

    /** The worker shuts down: destroy the guest, publish no verdict; the job goes back to the queue. */
    public void release() {
        released = true;
        guest.stopStarting();
        destroyNow();
    }

    public boolean aborted() {
        return abort != null;
    }

    public boolean released() {
        return released;
    }

    /** The job thread has its guest: an abort or release that came while it was being created takes effect now. */
    void guestStarted() {
        if (abort != null) stopForAbort();
        if (released) destroyNow();
    }

    /** Ends the script when another thread stopped the job. */
    void checkStopped() throws JobEnd {
        if (abort != null) throw new JobEnd(Verdict.ABORTED, abortReason());
        if (released) throw new JobEnd(Verdict.ERROR, "released");
    }

    String abortReason() {
        return "aborted: " + abort.reason();
    }

    /** Called by whichever thread first sees both the abort and the guest: the control thread or the job thread. */
    private void stopForAbort() {
        if (!stopIssued.compareAndSet(false, true)) return;
        // a domain already destroyed (the job ended meanwhile) is not paused: the destroyer below finds it gone
        if (!guest.isDestroyed() && guest.pause()) {
            paused = true;
            markStopped();
        }
        guest.hangUp();
        Map<String, String> mdc = MDC.getCopyOfContextMap();
        Thread destroyer = new Thread(() -> {
            if (mdc != null) MDC.setContextMap(mdc);
            if (guest.destroy()) markGone();
        }, "destroy-" + domainName);
        destroyer.setDaemon(true);
        destroyer.start();
    }

    private void destroyNow() {
        if (guest.poweredOn() && !guest.destroy()) {
            LOG.error("job {}: domain {} could not be destroyed", jobId, domainName);
        }
        guest.hangUp();
    }

    /** The job thread destroyed the guest in its cleanup: an abort's clock stops there too. */
    void destroyedByCleanup() {
        if (abort != null) markGone();
    }

    private void markStopped() {
        long now = clock.millis();
        if (stoppedAt.compareAndSet(0, now)) {
            LOG.info("job {}: domain {} stopped {} ms after the {} was issued ({})", jobId, domainName,
                    now - issuedAtMillis, abort.getClass().getSimpleName(), paused ? "paused" : "destroyed");
        }
    }

    /** The domain is gone; a guest that could not be paused first stopped only now. */
    private void markGone() {
        long now = clock.millis();
        if (stoppedAt.get() == 0) markStopped();
        if (goneAt.compareAndSet(0, now)) {
            LOG.info("job {}: domain {} destroyed {} ms after the {} was issued", jobId, domainName,
                    now - issuedAtMillis, abort.getClass().getSimpleName());
        }
    }

    /**
     * After the guest was closed: the abort's figures for the JobFinished reason, recorded once. Empty when no
     * guest was ever started.
     */
    String account() {
        if (!guest.poweredOn()) return "";
        if (!guest.isDestroyed()) {
            LOG.error("job {}: domain {} could not be destroyed", jobId, domainName);
            return " (the domain could not be destroyed: libvirt failed)";
        }
        // the abort came in after the cleanup had destroyed the domain: it is gone as of now
        if (goneAt.get() == 0) markGone();
        long gone = goneAt.get() - issuedAtMillis;
        long stopped = Math.min(stoppedAt.get() - issuedAtMillis, gone);
        recorder.abort(stopped, gone);
        return paused
                ? " (VM stopped " + stopped + " ms, domain destroyed " + gone + " ms after the abort was issued)"
                : " (domain destroyed " + gone + " ms after the abort was issued; it could not be paused first)";
    }
}
