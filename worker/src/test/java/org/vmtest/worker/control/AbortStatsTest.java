package org.vmtest.worker.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class AbortStatsTest {
    @Test
    void percentilesUseNearestRankForEachFigure() {
        AbortStats s = new AbortStats();
        assertThat(s.stoppedPercentile(50)).isEmpty();
        assertThat(s.gonePercentile(50)).isEmpty();
        long[][] aborts = {{4, 40}, {1, 10}, {3, 30}, {2, 20}, {10, 100}};
        for (long[] a : aborts) s.record(a[0], a[1]);
        assertThat(s.gonePercentile(50)).hasValue(30);
        assertThat(s.gonePercentile(99)).hasValue(100);
        assertThat(s.gonePercentile(0)).hasValue(10);
        assertThat(s.stoppedPercentile(50)).hasValue(3);
        assertThat(s.stoppedPercentile(99)).hasValue(10);
        assertThat(s.all()).hasSize(5).first().isEqualTo(new AbortStats.Abort(4, 40));
    }

    @Test
    void aGuestCannotStopAfterItsDomainIsGone() {
        assertThatIllegalArgumentException().isThrownBy(() -> new AbortStats().record(50, 40))
                .withMessageContaining("stopped after gone");
    }
}
