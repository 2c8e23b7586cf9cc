package org.vmtest.cli.follow;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.vmtest.cli.client.RunView;
import org.vmtest.protocol.Verdict;

/**
 * Pass rates per profile of a run that ran each profile several times ({@code vmtest submit --repeat K}), each
 * with its 95 % Wilson score interval: with few repeats a raw rate says little, the interval says how little.
 * A job that ended in ERROR (infrastructure) says nothing of the product and is left out of the rate.
 */
public final class PassRates {
    private static final double Z = 1.959963984540054; // the 97.5th percentile of the standard normal

    private PassRates() {
    }

    /** Passed and counted jobs of one profile. */
    public record Rate(String profile, int passed, int counted, int errors) {
        public double rate() {
            return counted == 0 ? Double.NaN : (double) passed / counted;
        }

        public double[] wilson() {
            return PassRates.wilson(passed, counted);
        }
    }

    public static Map<String, Rate> of(RunView run) {
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (RunView.JobView job : run.jobs()) {
            int[] c = counts.computeIfAbsent(job.profile(), p -> new int[3]);
            if (job.verdict() == Verdict.ERROR || job.verdict() == null) {
                c[2]++;
            } else {
                c[1]++;
                if (job.verdict() == Verdict.PASSED) c[0]++;
            }
        }
        Map<String, Rate> rates = new LinkedHashMap<>();
        counts.forEach((p, c) -> rates.put(p, new Rate(p, c[0], c[1], c[2])));
        return rates;
    }

    /** The 95 % Wilson score interval of {@code passed} successes in {@code n} trials: {low, high}. */
    static double[] wilson(int passed, int n) {
        if (n == 0) return new double[] {0, 1};
        double p = (double) passed / n;
        double z2 = Z * Z;
        double denominator = 1 + z2 / n;
        double centre = (p + z2 / (2.0 * n)) / denominator;
        double half = Z * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denominator;
        return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }

    public static void print(RunView run, PrintWriter out) {
        out.printf("%npass rate per profile (95 %% Wilson interval):%n");
        for (Rate r : of(run).values()) {
            String errors = r.errors() == 0 ? "" : ", " + r.errors() + " in ERROR or without verdict, not counted";
            if (r.counted() == 0) {
                out.printf("  %-16s no verdict to count%s%n", r.profile(), errors);
                continue;
            }
            double[] ci = r.wilson();
            out.printf(Locale.ROOT, "  %-16s %d/%d passed (%.0f %%), 95 %% interval %.1f %% to %.1f %%%s%n", r.profile(),
                    r.passed(), r.counted(), 100 * r.rate(), 100 * ci[0], 100 * ci[1], errors);
        }
        out.flush();
    }
}
