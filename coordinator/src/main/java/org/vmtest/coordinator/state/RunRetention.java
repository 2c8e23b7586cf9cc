package org.vmtest.coordinator.state;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.vmtest.coordinator.api.Run;
import org.vmtest.coordinator.api.RunStatus;

/**
 * How long a finished run stays on {@code vmtest.runs}, and how often the run-state stream looks for runs past it.
 * A run that is not finished is never removed, however old: it still has a job somewhere that may report.
 *
 * @param keep       a run is removed once it ended this long ago
 * @param checkEvery how often the run-state stream sweeps its store (wall-clock time of the stream thread)
 */
public record RunRetention(Duration keep, Duration checkEvery) {
    public RunRetention {
        Objects.requireNonNull(keep, "keep");
        Objects.requireNonNull(checkEvery, "checkEvery");
        if (keep.isNegative() || keep.isZero()) throw new IllegalArgumentException("runRetention must be positive: " + keep);
        if (checkEvery.isNegative() || checkEvery.isZero()) {
            throw new IllegalArgumentException("runRetentionCheckInterval must be positive: " + checkEvery);
        }
    }

    /** What the store holds for a run id at {@code now}: kept, removed with a tombstone, or dropped silently. */
    public Outcome outcome(Run run, Instant now) {
        Instant cutoff = now.minus(keep);
        if (!run.submitted()) {
            // Lifecycle or verdicts of a run whose submission never came: never on vmtest.runs, so no tombstone.
            return run.updatedAt() != null && run.updatedAt().isBefore(cutoff) ? Outcome.FORGET : Outcome.KEEP;
        }
        Instant ended = ended(run);
        return ended != null && ended.isBefore(cutoff) ? Outcome.REMOVE : Outcome.KEEP;
    }

    /** When a finished run ended (its verdict's time, else its last change); null while it is not finished. */
    static Instant ended(Run run) {
        boolean finished = run.verdict() != null || run.state() == RunStatus.CANCELLED;
        if (!finished) return null;
        return run.finishedAt() != null ? run.finishedAt() : run.updatedAt();
    }

    public enum Outcome {
        KEEP,
        /** Delete from the store and write a tombstone to {@code vmtest.runs}. */
        REMOVE,
        /** Delete from the store only. */
        FORGET
    }
}
