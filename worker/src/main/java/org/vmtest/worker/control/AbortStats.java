package org.vmtest.worker.control;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.ToLongFunction;

/**
 * Per abort, two figures from the control record's timestamp, in milliseconds: to the guest being stopped (its
 * virtual CPUs paused: it runs, prints and writes nothing more) and to the domain being gone (destroyed in libvirt).
 */
public final class AbortStats {
    private final List<Abort> aborts = new ArrayList<>();

    /** One abort's figures; {@code stoppedMillis <= goneMillis}. */
    public record Abort(long stoppedMillis, long goneMillis) {
        public Abort {
            if (stoppedMillis > goneMillis) {
                throw new IllegalArgumentException("stopped after gone: " + stoppedMillis + " > " + goneMillis + " ms");
            }
        }
    }

    public synchronized void record(long stoppedMillis, long goneMillis) {
        aborts.add(new Abort(stoppedMillis, goneMillis));
    }

    public synchronized List<Abort> all() {
        return List.copyOf(aborts);
    }

    /** The given percentile (nearest rank) of the time to the stopped guest, empty before the first abort. */
    public OptionalLong stoppedPercentile(double p) {
        return percentile(p, Abort::stoppedMillis);
    }

    /** The given percentile (nearest rank) of the time to the domain being gone, empty before the first abort. */
    public OptionalLong gonePercentile(double p) {
        return percentile(p, Abort::goneMillis);
    }

    private synchronized OptionalLong percentile(double p, ToLongFunction<Abort> figure) {
        if (aborts.isEmpty()) return OptionalLong.empty();
        long[] sorted = aborts.stream().mapToLong(figure).sorted().toArray();
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return OptionalLong.of(sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))]);
    }
}
