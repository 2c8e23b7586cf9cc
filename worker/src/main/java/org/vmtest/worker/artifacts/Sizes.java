package org.vmtest.worker.artifacts;

import java.util.Locale;

/** Byte counts and rates as people read them in a job's log: {@code 312 MiB}, {@code 1.2 GiB}, {@code 180 MiB/s}. */
final class Sizes {
    private static final long KIB = 1024;
    private static final long MIB = KIB * 1024;
    private static final long GIB = MIB * 1024;

    private Sizes() {
    }

    static String bytes(long n) {
        if (n < KIB) return n + " B";
        if (n < MIB) return n / KIB + " KiB";
        if (n < GIB) return n / MIB + " MiB";
        return String.format(Locale.ROOT, "%.1f GiB", n / (double) GIB);
    }

    static String rate(double bytesPerSecond) {
        return bytes((long) bytesPerSecond) + "/s";
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }
}
