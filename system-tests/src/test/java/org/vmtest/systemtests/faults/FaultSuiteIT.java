package org.vmtest.systemtests.faults;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.JobStarted;
import org.vmtest.protocol.stream.PhaseChanged;
import org.vmtest.protocol.stream.StreamEvent;
import org.vmtest.protocol.verdicts.JobVerdict;
import org.vmtest.systemtests.SystemTestSetup;
import org.vmtest.testing.cluster.FakeLibvirtSocket;
import org.vmtest.testing.cluster.ProcessCluster;
import org.vmtest.testing.cluster.ServiceProcess;
import org.vmtest.testing.cluster.StreamTail;

/**
 * Each service killed or cut off mid-run, on a cluster of real processes (broker, coordinator, analyzer, two
 * workers) driving real VMs. A case passes when every run still ends with exactly one JobVerdict per job and one
 * RunVerdict, and with the verdict its scenario deserves. The {@code panic} profile serves wherever a job only has to
 * run and end: it is the shortest real VM job (about a minute here). Repetitions: {@code -Dvmtest.faults.repeat}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultSuiteIT {
    private static final Duration JOB_START = Duration.ofMinutes(4);
    private static final Duration RUN_DONE = Duration.ofMinutes(6);
    /** Past the share group's record lock (30 s) with room for a loaded host. */
    private static final Duration REDELIVERY = Duration.ofMinutes(3);

    /** The worker retries a failed destroy every 2 s; this leaves room for a loaded host. */
    private static final Duration LIBVIRT_BACK = Duration.ofSeconds(30);

    /** The API's largest page; a test cluster holds fewer runs. */
    private static final int RUN_PAGE = 500;

    private final int repeats = SystemTestSetup.faultRepeats();
    private ProcessCluster cluster;

    @BeforeAll
    void startCluster() {
        cluster = ProcessCluster.builder(SystemTestSetup.guestDir(), SystemTestSetup.profilesDir()).workers(2).start();
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) cluster.close();
    }

    @Test
    @Order(1)
    void workerKilledMidInstallationHasItsJobRunAgainElsewhereAsAttemptTwo() {
        FaultTally tally = new FaultTally("worker SIGKILL mid-installation");
        for (int i = 0; i < repeats; i++) {
            try (StreamTail tail = new StreamTail(cluster.settings())) {
                JsonNode run = cluster.api().submit(List.of("panic"));
                String runId = run.get("id").asText();
                String jobId = run.get("jobs").get(0).get("id").asText();
                String problem = null;
                Optional<StreamEvent> first = tail.await(e -> e instanceof JobStarted s && s.jobId().equals(jobId), JOB_START);
                Optional<StreamEvent> installing = tail.await(e -> e instanceof PhaseChanged p && p.jobId().equals(jobId)
                        && p.phase() == Phase.INSTALLATION, JOB_START);
                if (first.isEmpty() || installing.isEmpty()) {
                    problem = "the job never reached its installation";
                } else {
                    int victim = workerIndex(((JobStarted) first.get()).workerId());
                    cluster.worker(victim).kill();
                    cluster.destroyDomainsOf(victim);
                    Optional<StreamEvent> second = tail.await(e -> e instanceof JobStarted s && s.jobId().equals(jobId)
                            && s.attempt() == 2, REDELIVERY);
                    if (second.isEmpty()) {
                        problem = "no attempt 2 within " + REDELIVERY.toSeconds() + " s of the kill";
                    } else if (((JobStarted) second.get()).workerId().equals(cluster.workerId(victim))) {
                        problem = "attempt 2 ran on the killed worker";
                    }
                    Optional<JsonNode> done = awaitRunDone(runId);
                    if (problem == null) problem = checkDone(done, "ABORTED");
                    if (problem == null) {
                        JobVerdict verdict = cluster.topicReader().jobVerdicts(runId).get(0);
                        if (verdict.attempt() != 2) problem = "JobVerdict for attempt " + verdict.attempt() + ", not 2";
                    }
                    cluster.worker(victim).start();
                }
                tally(tally, runId, problem);
            }
        }
        tally.report(cluster.diagnostics());
    }

    @Test
    @Order(2)
    void analyzerKilledMidStreamLosesNoVerdictAndDoublesNone() {
        FaultTally tally = new FaultTally("analyzer SIGKILL mid-stream");
        for (int i = 0; i < repeats; i++) {
            try (StreamTail tail = new StreamTail(cluster.settings())) {
                JsonNode run = cluster.api().submit(panicWithShortInstallTimeout());
                String runId = run.get("id").asText();
                String jobId = run.get("jobs").get(0).get("id").asText();
                String problem = null;
                if (tail.await(e -> e instanceof PhaseChanged p && p.jobId().equals(jobId)
                        && p.phase() == Phase.INSTALLATION, JOB_START).isEmpty()) {
                    problem = "the job never reached its installation";
                } else {
                    // Mid-stream: lines of this job were read, its state is in the store, the panic is yet to come.
                    cluster.analyzer(0).restart();
                    problem = checkDone(awaitRunDone(runId), "ABORTED");
                }
                tally(tally, runId, problem);
            }
        }
        tally.report(cluster.diagnostics());
    }

    @Test
    @Order(3)
    void coordinatorRestartedMidRunShowsTheSameRunsAndTheRunCompletes() {
        FaultTally tally = new FaultTally("coordinator SIGKILL + restart mid-run");
        for (int i = 0; i < repeats; i++) {
            try (StreamTail tail = new StreamTail(cluster.settings())) {
                JsonNode run = cluster.api().submit(List.of("panic"));
                String runId = run.get("id").asText();
                String jobId = run.get("jobs").get(0).get("id").asText();
                String problem = null;
                if (tail.await(e -> e instanceof JobStarted s && s.jobId().equals(jobId), JOB_START).isEmpty()) {
                    problem = "the job never started";
                } else {
                    Set<String> before = runIds();
                    cluster.coordinator().restart();
                    problem = sameRunsAfterRestart(runId, jobId, before);
                    String end = checkDone(awaitRunDone(runId), "ABORTED");
                    if (problem == null) problem = end;
                }
                tally(tally, runId, problem);
            }
        }
        tally.report(cluster.diagnostics());
    }

    /** What a restarted coordinator shows wrong, or null when it shows the run and every run it showed before. */
    private String sameRunsAfterRestart(String runId, String jobId, Set<String> before) {
        try {
            JsonNode again = cluster.api().run(runId);
            if (!again.get("jobs").get(0).get("id").asText().equals(jobId)) {
                return "after the restart the run shows other jobs: " + again;
            }
            Set<String> after = runIds();
            if (!after.containsAll(before)) {
                before.removeAll(after);
                return "runs missing after the restart: " + before;
            }
            return null;
        } catch (IllegalStateException e) {
            // a case that failed, reported with every service's log
            return "after the restart: " + e.getMessage();
        }
    }

    @Test
    @Order(4)
    void brokerKilledAndRestartedMidRunStillCompletesTheRun() {
        FaultTally tally = new FaultTally("broker SIGKILL + restart mid-run");
        for (int i = 0; i < repeats; i++) {
            JsonNode run = cluster.api().submit(List.of("panic"));
            String runId = run.get("id").asText();
            String jobId = run.get("jobs").get(0).get("id").asText();
            String problem = null;
            try (StreamTail tail = new StreamTail(cluster.settings())) {
                if (tail.await(e -> e instanceof PhaseChanged p && p.jobId().equals(jobId)
                        && p.phase() == Phase.INSTALLATION, JOB_START).isEmpty()) {
                    problem = "the job never reached its installation";
                }
            }
            if (problem == null) {
                cluster.kafka().restart();
                problem = checkDone(awaitRunDone(runId), "ABORTED");
            }
            tally(tally, runId, problem);
        }
        tally.report(cluster.diagnostics());
    }

    @Test
    @Order(5)
    void workerWhoseLibvirtIsUnreachableRefusesToStartWithTheReason() {
        assertThatThrownBy(() -> cluster.addWorker("qemu+unix:///system?socket=/nonexistent/libvirt-sock"))
                .as("a worker that cannot reach libvirt must exit at once, naming the problem")
                .hasMessageContaining("exited with status")
                .hasMessageContaining("/nonexistent/libvirt-sock");
    }

    @Test
    @Order(6)
    void workerLosingLibvirtMidJobEndsItsJobAndDestroysItsDomainOnceLibvirtIsBack(@TempDir java.nio.file.Path tmp) {
        FaultTally tally = new FaultTally("worker's libvirt cut mid-job");
        // Only the worker behind the fake socket may take the job: the others stop cleanly meanwhile.
        List<ServiceProcess> healthy = cluster.workers().stream().filter(ServiceProcess::isAlive).toList();
        healthy.forEach(ServiceProcess::stop);
        for (int i = 0; i < repeats; i++) {
            try (FakeLibvirtSocket libvirt = new FakeLibvirtSocket(tmp.resolve("libvirt-" + i + ".sock"));
                 StreamTail tail = new StreamTail(cluster.settings())) {
                ServiceProcess worker = cluster.addWorker(libvirt.uri());
                JsonNode run = cluster.api().submit(panicWithShortInstallTimeout());
                String runId = run.get("id").asText();
                String jobId = run.get("jobs").get(0).get("id").asText();
                String problem = null;
                if (tail.await(e -> e instanceof PhaseChanged p && p.jobId().equals(jobId)
                        && p.phase() == Phase.INSTALLATION, JOB_START).isEmpty()) {
                    problem = "the job never reached its installation";
                } else {
                    libvirt.cut();
                    // The worker process lives on; the others come back so the job may fail over to them.
                    healthy.forEach(ServiceProcess::start);
                    Optional<StreamEvent> finished = tail.await(e -> e instanceof JobFinished f && f.jobId().equals(jobId),
                            RUN_DONE);
                    Optional<JsonNode> done = awaitRunDone(runId);
                    problem = done.isEmpty() ? "no verdict within " + RUN_DONE.toMinutes() + " min" : null;
                    // The job ended without libvirt, so its domain could not be destroyed then; once libvirt is back
                    // the worker must destroy it at once, not leave it to its next start's sweep.
                    int index = cluster.workers().indexOf(worker);
                    List<String> atEnd = cluster.domainsOf(index);
                    libvirt.restore();
                    long t0 = System.nanoTime();
                    List<String> left = awaitNoDomains(index, LIBVIRT_BACK);
                    long gone = (System.nanoTime() - t0) / 1_000_000;
                    System.out.println("FAULT DETAIL libvirt cut: domains at the job's end " + atEnd + ", "
                            + (left.isEmpty() ? "all destroyed " + gone + " ms after libvirt came back"
                            : "still running " + LIBVIRT_BACK.toSeconds() + " s after libvirt came back: " + left)
                            + "; worker alive=" + worker.isAlive() + ", job ended "
                            + finished.map(e -> ((JobFinished) e).outcome() + " (" + ((JobFinished) e).reason() + ")")
                            .orElse("without JobFinished") + ", run verdict "
                            + done.map(r -> r.get("verdict").asText()).orElse("none"));
                    if (problem == null && !left.isEmpty()) {
                        problem = "domains " + left + " survived their job " + LIBVIRT_BACK.toSeconds()
                                + " s after libvirt came back";
                    }
                    healthy.forEach(ServiceProcess::stop);
                }
                worker.kill();
                cluster.destroyDomainsOf(cluster.workers().indexOf(worker));
                tally(tally, runId, problem);
            }
        }
        healthy.forEach(w -> {
            if (!w.isAlive()) w.start();
        });
        tally.report(cluster.diagnostics());
    }

    /**
     * The {@code panic} profile with a 20 s install step: with its console cut off the worker cannot see the panic,
     * so the job ends at the step's timeout, and what this case checks (the domain destroyed once libvirt is back)
     * need not wait the catalogue profile's 3 minutes for it.
     */
    private static ObjectNode panicWithShortInstallTimeout() {
        try {
            ObjectNode profile = (ObjectNode) new YAMLMapper().readTree(
                    SystemTestSetup.profilesDir().resolve("panic.yaml").toFile());
            profile.put("name", "panic-libvirt-cut");
            ((ObjectNode) profile.get("install").get(0)).put("timeout", "20s");
            ObjectNode body = new ObjectMapper().createObjectNode();
            body.putArray("profiles");
            body.putArray("profileDefinitions").add(profile);
            return body;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Waits until the worker has no running domain; returns those still running at the deadline. */
    private List<String> awaitNoDomains(int worker, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        List<String> left = cluster.domainsOf(worker);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
            left = cluster.domainsOf(worker);
        }
        return left;
    }

    private void tally(FaultTally tally, String runId, String problem) {
        new RunWatch(cluster, RUN_DONE).tally(tally, runId, problem);
    }

    private int workerIndex(String workerId) {
        for (int i = 0; i < cluster.workers().size(); i++) {
            if (cluster.workerId(i).equals(workerId)) return i;
        }
        throw new IllegalStateException("job started on unknown worker " + workerId);
    }

    private Set<String> runIds() {
        Set<String> ids = new HashSet<>();
        cluster.api().get("/api/v1/runs?limit=" + RUN_PAGE).json().get("runs").forEach(r -> ids.add(r.get("id").asText()));
        return ids;
    }

    /** The run once the API shows it DONE with a verdict; empty if that did not happen in time. */
    private Optional<JsonNode> awaitRunDone(String runId) {
        return new RunWatch(cluster, RUN_DONE).awaitDone(runId);
    }

    private String checkDone(Optional<JsonNode> done, String expectedJobVerdict) {
        return new RunWatch(cluster, RUN_DONE).check(done, expectedJobVerdict);
    }
}
