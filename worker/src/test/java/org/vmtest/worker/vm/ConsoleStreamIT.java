package org.vmtest.worker.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * Consoles read through libvirt's console stream, on the one connection every job of a worker shares (real
 * libvirtd, real QEMU, the test guest's kernel): blocking reads need no event loop and do not hold up other calls,
 * nothing printed before the reader attached is lost, and each reader ends when its domain is destroyed.
 */
class ConsoleStreamIT {
    private static final Path GUEST = guestDir();

    @Test
    void twoConsolesStreamAtOnceOnOneConnectionAndEachEndsWithItsDomain() throws Exception {
        String prefix = "vmtest-consoleit-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + "-";
        try (Hypervisor hypervisor = Hypervisor.open("qemu:///system")) {
            Console a = new Console();
            Console b = new Console();
            VirtualMachine vmA = VirtualMachine.start(hypervisor, spec(prefix + "a"), null, a);
            VirtualMachine vmB = VirtualMachine.start(hypervisor, spec(prefix + "b"), null, b);
            try {
                await("both kernels booting").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                        .until(() -> a.text().contains("Run /init") && b.text().contains("Run /init"));
                // created paused, attached, then resumed: the kernel's very first line is there
                assertThat(a.text()).contains("[    0.000000] Linux version");
                assertThat(b.text()).contains("[    0.000000] Linux version");

                // both readers are blocked in virStreamRecv on this connection: other calls still answer at once
                long t0 = System.nanoTime();
                for (int i = 0; i < 20; i++) assertThat(hypervisor.isRunning(prefix + "a")).isTrue();
                long perCallMillis = (System.nanoTime() - t0) / 20 / 1_000_000;
                assertThat(perCallMillis).as("ms per libvirt call while two consoles stream").isLessThan(500);

                vmA.close();
                assertThat(a.ended.getCount()).as("close() returns after the console of A ended").isZero();
                assertThat(hypervisor.isRunning(prefix + "a")).isFalse();
                assertThat(b.ended.getCount()).as("B's console is still open").isEqualTo(1);
                assertThat(hypervisor.isRunning(prefix + "b")).isTrue();

                assertThat(vmB.destroy()).isTrue();
                assertThat(b.ended.await(10, java.util.concurrent.TimeUnit.SECONDS))
                        .as("B's reader ends by itself once its domain is destroyed").isTrue();
            } finally {
                vmA.close();
                vmB.close();
            }
            assertThat(hypervisor.domainsNamed(prefix)).isEmpty();
        }
    }

    private static DomainSpec spec(String name) {
        return new DomainSpec(name, "qemu", 256, 1, GUEST.resolve("vmlinuz"), GUEST.resolve("initrd.img"),
                "console=ttyS0 panic=0 vmtest.scenario=pass", null, null, null, 0, 0,
                org.vmtest.protocol.jobs.VmSpec.Network.RESTRICTED);
    }

    private static Path guestDir() {
        Path dir = Path.of(System.getProperty("vmtest.guest.dir", "../vmtest-out/guest")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve("vmlinuz"))) {
            throw new IllegalStateException("no test guest in " + dir + ": run deploy/test-guest/build.sh first");
        }
        return dir;
    }

    /** Everything one console delivered, and whether it ended. */
    private static final class Console implements ConsoleListener {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CountDownLatch ended = new CountDownLatch(1);

        @Override
        public synchronized void bytes(byte[] buf, int len) {
            bytes.write(buf, 0, len);
        }

        @Override
        public void ended() {
            ended.countDown();
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
