package org.vmtest.worker.jobs;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Pattern;
import org.vmtest.protocol.jobs.TestSpec;
import org.vmtest.protocol.stream.TestFinished;
import org.vmtest.worker.ssh.ExecResult;
import org.vmtest.worker.stream.JobStream;

/**
 * Judges a declarative test from how its command ended and what it printed, and publishes the {@link TestFinished}
 * with the reason and the last lines of output.
 */
final class TestEvaluation {
    private static final int OUTPUT_TAIL_LINES = 20;
    private static final int OUTPUT_KEEP_CHARS = 1 << 20;

    private final JobStream stream;
    private final InstantSource clock;
    private final Ticker ticker;

    TestEvaluation(JobStream stream, InstantSource clock, Ticker ticker) {
        this.stream = stream;
        this.clock = clock;
        this.ticker = ticker;
    }

    Run start(TestSpec test) {
        return new Run(test, ticker.nanos());
    }

    /** One test being run: collects its output (from MINA's threads) through {@link #tap()}. */
    final class Run {
        private final TestSpec test;
        private final long startNanos;
        private final Deque<String> tail = new ArrayDeque<>();
        private final StringBuilder all = new StringBuilder();

        private Run(TestSpec test, long startNanos) {
            this.test = test;
            this.startNanos = startNanos;
        }

        JobStream.Tap tap() {
            return (text, continued) -> {
                synchronized (tail) {
                    if (all.length() < OUTPUT_KEEP_CHARS) all.append(text).append(continued ? "" : "\n");
                    tail.addLast(text);
                    if (tail.size() > OUTPUT_TAIL_LINES) tail.removeFirst();
                }
            };
        }

        /** Publishes the verdict on a command test. @return whether it passed */
        boolean finish(ExecResult r) {
            return publish(failure(r), r.exitCode());
        }

        /** Publishes the verdict on a console test (no exit status): passed when {@code reason} is empty. */
        boolean finish(String reason) {
            return publish(reason, -1);
        }

        private boolean publish(String reason, int exitCode) {
            String outputTail;
            synchronized (tail) {
                outputTail = String.join("\n", tail);
            }
            boolean passed = reason.isEmpty();
            stream.event(new TestFinished(stream.jobId(), stream.attempt(), clock.instant(), stream.runId(),
                    test.name(), passed, exitCode, ticker.millisSince(startNanos), reason, outputTail));
            return passed;
        }

        /** Why the test failed; empty when it passed. */
        private String failure(ExecResult r) {
            if (r.timedOut()) {
                Duration ran = Duration.ofMillis(r.durationMillis());
                return "timed out after " + PhaseScript.seconds(ran.compareTo(test.timeout()) < 0 ? ran : test.timeout());
            }
            if (r.exitCode() < 0) return "no exit status: " + r.problem();
            if (r.exitCode() != test.expectExit()) return "exit status " + r.exitCode() + ", expected " + test.expectExit();
            if (test.expectOutput() == null) return "";
            String output;
            synchronized (tail) {
                output = all.toString();
            }
            return Pattern.compile(test.expectOutput(), Pattern.MULTILINE).matcher(output).find()
                    ? "" : "output does not match /" + test.expectOutput() + "/";
        }
    }
}
