package org.vmtest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.protocol.Accelerator;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.testing.cluster.FakeLibvirtSocket;
import org.vmtest.worker.vm.AcceleratorProbe;
import org.vmtest.worker.vm.ConsoleListener;
import org.vmtest.worker.vm.Hypervisor;
import org.vmtest.worker.vm.PendingDestroys;
import org.vmtest.worker.vm.VirtualMachine;
import org.vmtest.worker.vm.VmLauncher;

/**
 * A domain whose destroy failed because the worker's libvirt connection was cut goes as soon as libvirt answers
 * again. The cut is {@link FakeLibvirtSocket}: a relay to the real libvirtd that the test can close and reopen,
 * because libvirtd itself serves everyone on this host.
 */
class PendingDestroysIT {
    private static final ConsoleListener NO_CONSOLE = (buf, len) -> {
    };

    @TempDir
    Path work;

    @Test
    void aDomainThatCouldNotBeDestroyedDuringALibvirtCutIsDestroyedOnceLibvirtIsBack() throws Exception {
        WorkerConfig config = WorkerConfig.defaults(new KafkaSettings()).withDirs(TestGuest.dir(), work);
        Profile profile = TestGuest.installOnly(TestGuest.profile("pass"));
        try (Hypervisor real = Hypervisor.open(config.libvirtUri());
             FakeLibvirtSocket libvirt = new FakeLibvirtSocket(work.resolve("libvirt.sock"));
             Hypervisor cut = Hypervisor.open(libvirt.uri());
             PendingDestroys pending = new PendingDestroys(cut, Duration.ofMillis(500))) {
            Accelerator accelerator = AcceleratorProbe.resolve(config.accelerator(), real, config.hostFacts(),
                    TestGuest.dir().resolve("vmlinuz"), config.probeTimeout(), "vmtest-pendit-kvm-probe").accelerator();
            String domain = "vmtest-pendit-cut-a1";
            VmLauncher launcher = new VmLauncher(cut, "pendit", TestGuest.dir(), work);
            assertThat(launcher.domainName("cut", 1)).isEqualTo(domain);
            VirtualMachine vm = launcher.launch(profile, domain, accelerator, null, NO_CONSOLE);
            libvirt.cut();
            vm.close();
            assertThat(vm.isDestroyed()).as("libvirt was cut: the destroy failed").isFalse();
            assertThat(real.isRunning(domain)).as("so the guest runs on").isTrue();
            pending.add(domain);
            // still cut: the retries fail and the domain stays listed
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> pending.waiting().contains(domain) && real.isRunning(domain));

            libvirt.restore();
            long t0 = System.nanoTime();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !real.isRunning(domain) && pending.waiting().isEmpty());
            assertThat(cut.isAlive()).as("the cut connection was replaced by a new one").isTrue();
            System.out.printf("FIGURE domain destroyed %d ms after libvirt came back (retry every 500 ms)%n",
                    (System.nanoTime() - t0) / 1_000_000);
        } finally {
            // whatever failed above, no guest of this test outlives it
            try (Hypervisor real = Hypervisor.open(config.libvirtUri())) {
                real.destroy("vmtest-pendit-cut-a1");
            }
        }
    }
}
