package org.vmtest.cli.follow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vmtest.cli.client.RunView;
import org.vmtest.protocol.Verdict;

class PassRatesTest {
    @Test
    void wilsonIntervalsMatchTheirPublishedValues() {
        // Wilson (1927) / Newcombe (1998) table: 81 of 263 gives 0.2553 to 0.3662; 0 of 10 gives 0 to 0.2775
        double[] a = PassRates.wilson(81, 263);
        assertThat(a[0]).isCloseTo(0.2553, within(5e-4));
        assertThat(a[1]).isCloseTo(0.3662, within(5e-4));
        double[] b = PassRates.wilson(0, 10);
        assertThat(b[0]).isZero();
        assertThat(b[1]).isCloseTo(0.2775, within(5e-4));
        double[] c = PassRates.wilson(10, 10);
        assertThat(c[1]).isCloseTo(1.0, within(1e-12));
        assertThat(c[0]).isCloseTo(0.7225, within(5e-4));
    }

    @Test
    void eachProfileGetsItsRateAndErrorsAreNotCounted() {
        List<RunView.JobView> jobs = new ArrayList<>();
        Verdict[] flaky = {Verdict.PASSED, Verdict.FAILED, Verdict.PASSED, Verdict.ERROR};
        for (int i = 0; i < flaky.length; i++) jobs.add(job("f" + i, "flaky", flaky[i]));
        for (int i = 0; i < 3; i++) jobs.add(job("p" + i, "pass", Verdict.PASSED));
        RunView run = new RunView("r-1", "DONE", Verdict.FAILED, Map.of(), null, jobs);
        StringWriter out = new StringWriter();

        PassRates.print(run, new PrintWriter(out));

        assertThat(PassRates.of(run).get("flaky")).isEqualTo(new PassRates.Rate("flaky", 2, 3, 1));
        assertThat(out.toString())
                .contains("flaky            2/3 passed (67 %), 95 % interval 20.8 % to 93.9 %, 1 in ERROR or without verdict, not counted")
                .contains("pass             3/3 passed (100 %), 95 % interval 43.9 % to 100.0 %");
    }

    private static RunView.JobView job(String id, String profile, Verdict v) {
        return new RunView.JobView(id, profile, "REPORTING", 1, "w", v, "", null, List.of(), List.of());
    }
}
