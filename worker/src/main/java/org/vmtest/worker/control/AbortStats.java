package org.vmtest.worker.control;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** Per abort, the time from the control record's timestamp to the domain being gone, in milliseconds. */
public final class AbortStats {
    private final List<Long> millis = new ArrayList<>();

    public synchronized void record(long latencyMillis) {
        millis.add(latencyMillis);
    }

    public synchronized List<Long> all() {
        return List.copyOf(millis);
    }

    /** The given percentile (nearest rank), empty before the first abort. */
    public synchronized OptionalLong percentile(double p) {
        if (millis.isEmpty()) return OptionalLong.empty();
        List<Long> sorted = new ArrayList<>(millis);
        sorted.sort(null);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return OptionalLong.of(sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1))));
    }
}
