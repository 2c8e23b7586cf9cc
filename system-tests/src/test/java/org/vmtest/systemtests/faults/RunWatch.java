package org.vmtest.systemtests.faults;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;
import org.vmtest.testing.cluster.ProcessCluster;

/** Follows a run through the API until it is done, and counts what the fault suites check at its end. */
final class RunWatch {
    private final ProcessCluster cluster;
    private final Duration within;
    private int unanswered;
    private String lastError;

    RunWatch(ProcessCluster cluster, Duration within) {
        this.cluster = cluster;
        this.within = within;
    }

    /** The run once the API shows it DONE with a verdict; empty if that did not happen in time. */
    Optional<JsonNode> awaitDone(String runId) {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                JsonNode run = cluster.api().run(runId);
                if ("DONE".equals(run.get("state").asText()) && !run.get("verdict").isNull()) return Optional.of(run);
            } catch (UncheckedIOException | IllegalStateException e) {
                // the coordinator or the broker is coming back: ask again
                unanswered++;
                lastError = e.getMessage();
            }
            pause();
        }
        return Optional.empty();
    }

    /** Requests of {@link #awaitDone} that got no answer (the API was down or answered with an error). */
    int unanswered() {
        return unanswered;
    }

    String lastError() {
        return lastError;
    }

    /** Null when the run is done and its first job has {@code expectedJobVerdict}, else what is wrong. */
    String check(Optional<JsonNode> done, String expectedJobVerdict) {
        if (done.isEmpty()) return "the run did not finish within " + within.toMinutes() + " min";
        String verdict = done.get().get("jobs").get(0).get("verdict").asText();
        return verdict.equals(expectedJobVerdict) ? null : "job verdict " + verdict + ", expected " + expectedJobVerdict;
    }

    /** Records the run's verdict counts (lost, doubled) and {@code problem} in {@code tally}. */
    void tally(FaultTally tally, String runId, String problem) {
        var reader = cluster.topicReader();
        tally.record(reader.jobVerdicts(runId).size(), reader.runVerdicts(runId).size(), problem);
    }

    private static void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
