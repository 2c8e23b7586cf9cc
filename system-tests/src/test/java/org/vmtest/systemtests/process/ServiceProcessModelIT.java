package org.vmtest.systemtests.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.vmtest.systemtests.SystemTestSetup;
import org.vmtest.testing.cluster.ProcessCluster;
import org.vmtest.testing.cluster.ServiceProcess;
import org.vmtest.testing.cluster.ServiceUser;

/**
 * The worker as systemd runs it (deploy/systemd/vmtest-worker.service): the leader of its own session with no
 * terminal, stdin from /dev/null, and an unprivileged user in the libvirt group. A worker that opened a VM's console
 * pty became that pty's session leader and died of SIGHUP when the first VM ended; these tests catch that.
 */
class ServiceProcessModelIT {
    private static final Duration RUN_DONE = Duration.ofMinutes(8);
    private static final String SERVICE_USER = "vmtest-svc";

    @Test
    void aSessionLeaderWorkerRunsJobAfterJobWithoutEverGettingATerminal() {
        try (ProcessCluster cluster = ProcessCluster.builder(SystemTestSetup.guestDir(), SystemTestSetup.profilesDir())
                .workers(1).slots(1).start()) {
            ServiceProcess worker = cluster.worker(0);
            long pid = worker.pid();
            assertThat(worker.leadsItsSession()).as("the worker leads its own session, as under systemd").isTrue();
            assertThat(worker.terminal()).isEqualTo("?");

            // two jobs on one slot: the second starts only after the first VM is gone and its console closed
            JsonNode run = cluster.api().submit(List.of("panic", "panic"));
            String runId = run.get("id").asText();
            List<String> terminalsWhileAVmRan = new ArrayList<>();
            Set<String> domainsSeen = new HashSet<>();
            while (domainsSeen.size() < 2) {
                List<String> running = await("VM " + (domainsSeen.size() + 1) + " of worker " + cluster.workerId(0))
                        .atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(250))
                        .until(() -> cluster.domainsOf(0), domains -> !worker.isAlive() || !domainsSeen.containsAll(domains));
                assertThat(worker.isAlive()).as("worker alive when VM %d runs; its log:\n%s", domainsSeen.size() + 1,
                        worker.tail(30)).isTrue();
                terminalsWhileAVmRan.add(worker.terminal());
                domainsSeen.addAll(running);
            }
            JsonNode done = awaitRunDone(cluster, runId);

            assertThat(terminalsWhileAVmRan).as("ps -o tty= of the worker while each VM ran").containsExactly("?", "?");
            assertThat(worker.isAlive()).as("the worker survived both VMs; its log:\n%s", worker.tail(30)).isTrue();
            assertThat(worker.pid()).as("the same process, not a restart").isEqualTo(pid);
            assertThat(worker.logText()).doesNotContain("---- worker-1 start #2");
            assertThat(done.get("jobs")).hasSize(2)
                    .allSatisfy(job -> assertThat(job.get("verdict").asText()).isEqualTo("ABORTED"));
        }
    }

    @Test
    void aWorkerRunningAsAnUnprivilegedUserInTheLibvirtGroupPassesAJob() {
        ServiceUser.Named user = ServiceUser.ensureSystemUser(SERVICE_USER, "libvirt");
        try (ProcessCluster cluster = ProcessCluster.builder(SystemTestSetup.guestDir(), SystemTestSetup.profilesDir())
                .workers(1).slots(1).workersRunAs(user).start()) {
            ServiceProcess worker = cluster.worker(0);
            assertThat(ps(worker.pid(), "user=")).isEqualTo(SERVICE_USER);
            assertThat(ps(worker.pid(), "group=")).isEqualTo(user.group());
            assertThat(worker.terminal()).isEqualTo("?");

            JsonNode run = cluster.api().submit(List.of("pass"));
            JsonNode done = awaitRunDone(cluster, run.get("id").asText());

            assertThat(done.get("jobs").get(0).get("verdict").asText()).as("%s\nworker log:\n%s", done, worker.tail(40))
                    .isEqualTo("PASSED");
            assertThat(worker.isAlive()).isTrue();
            assertThat(cluster.domainsOf(0)).isEmpty();
        }
    }

    private static JsonNode awaitRunDone(ProcessCluster cluster, String runId) {
        return await("run " + runId + " done").atMost(RUN_DONE).pollInterval(Duration.ofSeconds(1))
                .until(() -> cluster.api().run(runId),
                        run -> "DONE".equals(run.get("state").asText()) && !run.get("verdict").isNull());
    }

    private static String ps(long pid, String field) {
        try {
            Process ps = new ProcessBuilder("ps", "-o", field, "-p", Long.toString(pid)).redirectErrorStream(true).start();
            String out = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            ps.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
