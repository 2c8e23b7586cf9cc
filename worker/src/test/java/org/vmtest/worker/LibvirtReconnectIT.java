package org.vmtest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Accelerator;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.jobs.JobMessage;
import org.vmtest.protocol.jobs.JobRequested;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.Line;
import org.vmtest.testing.KafkaClusterExtension;
import org.vmtest.testing.cluster.FakeLibvirtSocket;
import org.vmtest.worker.vm.AcceleratorProbe;
import org.vmtest.worker.vm.Hypervisor;
import org.vmtest.worker.vm.VirtualMachine;
import org.vmtest.worker.vm.VmLauncher;

/**
 * A worker whose libvirt connection is cut (libvirtd restarted) connects again once libvirt answers: /health is 200
 * again and the next job starts its VM on the new connection. The cut is {@link FakeLibvirtSocket}: a relay to the
 * real libvirtd that the test can close and reopen, because libvirtd itself serves everyone on this host.
 */
class LibvirtReconnectIT {
    private static final JsonSerde<JobMessage> JOBS = JsonSerde.of(JobMessage.class);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    static final KafkaClusterExtension kafka = new KafkaClusterExtension();

    @TempDir
    static Path work;

    static StreamWatcher stream;

    @BeforeAll
    static void setUp() {
        kafka.createTopics();
        kafka.configureShareGroup(kafka.topics().workerShareGroup(), Map.of("share.record.lock.duration.ms", "15000"));
        stream = new StreamWatcher(kafka.settings());
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (stream != null) stream.close();
    }

    @Test
    void aWorkerWhoseLibvirtWasCutConnectsAgainAndRunsTheNextJob() throws Exception {
        try (FakeLibvirtSocket libvirt = new FakeLibvirtSocket(work.resolve("libvirt.sock"))) {
            WorkerConfig config = WorkerConfig.defaults(kafka.settings()).withWorkerId("recon1").withSlots(1)
                    .withDirs(TestGuest.dir(), work).withIntervals(Duration.ofSeconds(2), Duration.ofSeconds(3))
                    .withLibvirtUri(libvirt.uri()).withMetricsAddress("127.0.0.1:0");
            try (Worker worker = Worker.start(config)) {
                int port = worker.metricsPort();
                assertThat(health(port).statusCode()).isEqualTo(200);

                libvirt.cut();
                // a job during the cut cannot start its VM: it ends ERROR, as it always did
                JobRequested during = submit();
                await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                        .until(() -> stream.finished(during.jobId()) != null);
                assertThat(stream.finished(during.jobId()).outcome()).isEqualTo(Verdict.ERROR);
                assertThat(stream.finished(during.jobId()).reason()).contains("VM could not start");
                HttpResponse<String> cutHealth = health(port);
                assertThat(cutHealth.statusCode()).as(cutHealth.body()).isEqualTo(503);
                assertThat(cutHealth.body()).contains("libvirt connection lost");
                // still cut: the worker keeps trying and stays unhealthy meanwhile
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6))
                        .until(() -> health(port).statusCode() == 503);

                libvirt.restore();
                long t0 = System.nanoTime();
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                        .until(() -> health(port).statusCode() == 200);
                System.out.printf("FIGURE /health 200 again %d ms after libvirt came back (checked every 2 s)%n",
                        (System.nanoTime() - t0) / 1_000_000);
                JobRequested after = submit();
                // its VM boots and its installation runs over SSH: a VM started on the new connection
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() ->
                        stream.finished(after.jobId()) != null || stream.of(after.jobId(), Line.class).stream()
                                .anyMatch(l -> l.phase() == Phase.INSTALLATION && l.source() == LineSource.SSH_STDOUT));
                JobFinished early = stream.finished(after.jobId());
                assertThat(early).as("the job ended before its installation ran: %s",
                        early == null ? "" : early.outcome() + " " + early.reason()).isNull();
                assertThat(stream.of(after.jobId(), Line.class)).as("console lines through the new connection")
                        .anyMatch(l -> l.source() == LineSource.CONSOLE);
                System.out.printf("FIGURE job installing %d ms after libvirt came back%n",
                        (System.nanoTime() - t0) / 1_000_000);
                HttpResponse<String> backHealth = health(port);
                assertThat(backHealth.statusCode()).as(backHealth.body()).isEqualTo(200);
                assertThat(backHealth.body()).contains("libvirt connected");
            }
        } finally {
            try (Hypervisor real = Hypervisor.open("qemu:///system")) {
                real.domainsNamed("vmtest-recon1-").forEach(real::destroy);
            }
        }
    }

    /**
     * A cut shows only when a call fails; the first VM start after libvirt's return must not fail on it. No 2 s check
     * runs here (no worker), so only the start itself can notice the dead connection and open a new one.
     */
    @Test
    void theFirstVmStartAfterLibvirtIsBackReconnectsInsteadOfFailing() throws Exception {
        WorkerConfig config = WorkerConfig.defaults(kafka.settings()).withDirs(TestGuest.dir(), work);
        Profile profile = TestGuest.installOnly(TestGuest.profile("pass"));
        String domain = "vmtest-recon2-first-a1";
        try (FakeLibvirtSocket libvirt = new FakeLibvirtSocket(work.resolve("libvirt2.sock"));
             Hypervisor hypervisor = Hypervisor.open(libvirt.uri())) {
            Accelerator accelerator = AcceleratorProbe.resolve(config.accelerator(), hypervisor, config.hostFacts(),
                    TestGuest.dir().resolve("vmlinuz"), config.probeTimeout(), "vmtest-recon2-kvm-probe").accelerator();
            libvirt.cut();
            libvirt.restore();
            VmLauncher launcher = new VmLauncher(hypervisor, "recon2", TestGuest.dir(), work);
            try (VirtualMachine vm = launcher.launch(profile, domain, accelerator, null, (buf, len) -> {
            })) {
                assertThat(hypervisor.isRunning(domain)).isTrue();
                assertThat(vm.isDestroyed()).isFalse();
            }
            assertThat(hypervisor.isRunning(domain)).as("destroyed through the new connection").isFalse();
        } finally {
            try (Hypervisor real = Hypervisor.open("qemu:///system")) {
                real.destroy(domain);
            }
        }
    }

    private static JobRequested submit() {
        JobRequested job = TestGuest.job(TestGuest.installOnly(TestGuest.profile("pass")));
        kafka.produce(kafka.topics().jobs(), job.jobId(), JOBS.encode(job));
        return job;
    }

    private static HttpResponse<String> health(int port) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
