package org.vmtest.worker.stream;

import java.time.InstantSource;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.Line;
import org.vmtest.protocol.stream.StreamEvent;
import org.vmtest.protocol.stream.TestFinished;

/**
 * Everything one job attempt publishes, in order: lines from the console, SSH and the worker itself, and the
 * lifecycle events. Numbering a line and sending it happen under one lock, so on the job's partition the
 * sequence numbers run from 1 without gaps or swaps whichever thread printed the line.
 */
public final class JobStream {
    private final Sink publisher;
    private final String jobId;
    private final String runId;
    private final int attempt;
    private final InstantSource clock;
    private volatile SecretMask secrets = SecretMask.NONE;
    private volatile Phase phase = Phase.PROVISIONING;
    private long seq;

    /** Where the records go: the worker's {@link StreamPublisher}, or a list in a unit test. */
    @FunctionalInterface
    public interface Sink {
        void send(String jobId, StreamEvent event);
    }

    public JobStream(Sink publisher, String jobId, String runId, int attempt, InstantSource clock) {
        this.publisher = publisher;
        this.jobId = jobId;
        this.runId = runId;
        this.attempt = attempt;
        this.clock = clock;
    }

    /** Masks the values of the run's secret variables in every line and reason published from now on. */
    public void maskSecrets(SecretMask mask) {
        this.secrets = mask;
    }

    public String jobId() {
        return jobId;
    }

    public String runId() {
        return runId;
    }

    public int attempt() {
        return attempt;
    }

    public Phase phase() {
        return phase;
    }

    /** Lines printed from now on belong to {@code next}; publish the {@code PhaseChanged} separately. */
    public void phase(Phase next) {
        this.phase = next;
    }

    /** A new assembler that publishes what it cuts from {@code source}'s bytes. */
    public LineAssembler assembler(LineSource source) {
        return assembler(source, null);
    }

    /** Sees each published line's text too, e.g. to check a test's output. */
    @FunctionalInterface
    public interface Tap {
        void line(String text, boolean continued);
    }

    /** A new assembler that publishes what it cuts from {@code source}'s bytes and shows it to {@code tap}. */
    public LineAssembler assembler(LineSource source, Tap tap) {
        return new LineAssembler((bytes, len, continued) -> {
            String text = TextSanitizer.sanitize(bytes, 0, len);
            line(source, text, continued);
            if (tap != null) tap.line(text, continued);
        });
    }

    /** A line of the worker's own, for the record of what it did to the VM. */
    public void worker(String text) {
        String clean = TextSanitizer.sanitize(text);
        synchronized (this) {
            int from = 0;
            while (clean.length() - from > Line.MAX_TEXT_CHARS) {
                int to = from + Line.MAX_TEXT_CHARS;
                if (Character.isHighSurrogate(clean.charAt(to - 1))) to--;
                line(LineSource.WORKER, clean.substring(from, to), true);
                from = to;
            }
            line(LineSource.WORKER, clean.substring(from), false);
        }
    }

    private synchronized void line(LineSource source, String text, boolean continued) {
        publisher.send(jobId, new Line(jobId, attempt, ++seq, source, phase, clock.instant(), secrets.apply(text),
                continued));
    }

    public synchronized void event(StreamEvent event) {
        publisher.send(jobId, masked(event));
    }

    /** The texts of an event that may quote a command or its output, masked. */
    private StreamEvent masked(StreamEvent event) {
        SecretMask mask = secrets;
        if (mask.masksNothing()) return event;
        if (event instanceof TestFinished t) {
            return new TestFinished(t.jobId(), t.attempt(), t.time(), t.runId(), mask.apply(t.name()), t.passed(),
                    t.exitCode(), t.durationMillis(), mask.apply(t.reason()), mask.apply(t.outputTail()));
        }
        if (event instanceof JobFinished f) {
            return new JobFinished(f.jobId(), f.attempt(), f.time(), f.runId(), f.outcome(), mask.apply(f.reason()),
                    f.lastPhase(), f.phaseMillis(), f.workerId(), f.artifactFetchMillis());
        }
        return event;
    }

    /** How many lines this attempt published so far. */
    public synchronized long lines() {
        return seq;
    }
}
