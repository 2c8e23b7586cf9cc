package org.vmtest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.stream.JobFinished;

class WorkerMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final WorkerMetrics metrics = new WorkerMetrics(registry);

    @Test
    void aFinishedJobCountsByVerdictAndRecordsEachPhaseItEntered() {
        metrics.finished(new JobFinished("j1", 1, Instant.now(), "r1", Verdict.FAILED, "1 of 2 tests failed",
                Phase.REPORTING, Map.of(Phase.PROVISIONING, 4_000L, Phase.TESTING, 1_500L), "w1"));

        assertThat(registry.get("vmtest_worker_jobs").tag("verdict", "FAILED").counter().count()).isEqualTo(1);
        assertThat(registry.get("vmtest_worker_jobs").tag("verdict", "PASSED").counter().count()).isZero();
        assertThat(registry.get("vmtest_worker_phase").tag("phase", "PROVISIONING").timer()
                .totalTime(TimeUnit.MILLISECONDS)).isEqualTo(4_000);
        assertThat(registry.get("vmtest_worker_phase").tag("phase", "TESTING").timer().count()).isEqualTo(1);
        assertThat(registry.get("vmtest_worker_phase").tag("phase", "REBOOT").timer().count()).isZero();
    }

    @Test
    void linesCountBySourceAndContinuedPartsAsSplit() {
        metrics.line(LineSource.CONSOLE, true);
        metrics.line(LineSource.CONSOLE, false);
        metrics.line(LineSource.WORKER, false);

        assertThat(registry.get("vmtest_worker_lines").tag("source", "CONSOLE").counter().count()).isEqualTo(2);
        assertThat(registry.get("vmtest_worker_lines").tag("source", "WORKER").counter().count()).isEqualTo(1);
        assertThat(registry.get("vmtest_worker_lines_split").counter().count()).isEqualTo(1);
    }

    @Test
    void anAbortRecordsTheTimeToTheStoppedGuestAndToTheDomainGone() {
        metrics.abort(40, 900);

        assertThat(registry.get("vmtest_worker_abort_stopped").timer().totalTime(TimeUnit.MILLISECONDS)).isEqualTo(40);
        assertThat(registry.get("vmtest_worker_abort_gone").timer().totalTime(TimeUnit.MILLISECONDS)).isEqualTo(900);
    }

    @Test
    void theSlotGaugesFollowTheRunningJobs() {
        int[] busy = {0};
        metrics.slots(3, () -> busy[0]);
        busy[0] = 2;

        assertThat(registry.get("vmtest_worker_slots").gauge().value()).isEqualTo(3);
        assertThat(registry.get("vmtest_worker_slots_busy").gauge().value()).isEqualTo(2);
    }

    @Test
    void aMetricsAddressThatCannotBeBoundStopsTheStartNamingIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            WorkerConfig config = WorkerConfig.defaults(new KafkaSettings()).withMetricsAddress(address);

            assertThatThrownBy(() -> Worker.start(config)).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("metricsAddress " + address + ": ");
        }
    }
}
