package org.vmtest.worker.control;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AbortStatsTest {
    @Test
    void percentilesUseNearestRank() {
        AbortStats s = new AbortStats();
        assertThat(s.percentile(50)).isEmpty();
        for (long v : new long[] {40, 10, 30, 20, 100}) s.record(v);
        assertThat(s.percentile(50)).hasValue(30);
        assertThat(s.percentile(99)).hasValue(100);
        assertThat(s.percentile(0)).hasValue(10);
    }
}
