package org.vmtest.worker.vm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.vmtest.protocol.Accelerator;
import org.vmtest.protocol.jobs.VmSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds out whether this host's VMs can use KVM, for accelerator AUTO. {@code /dev/kvm} existing is not enough:
 * on some hosts a KVM guest hangs without printing a byte. The answer, in order: the host facts written by
 * deploy/host-setup.sh; TCG when there is no /dev/kvm; else a probe boot of the guest kernel under KVM that must
 * print its banner within the probe timeout (it is destroyed either way, so the probe never hangs).
 * The answer is cached per libvirt URI for the life of the JVM.
 */
public final class AcceleratorProbe {
    private static final Logger LOG = LoggerFactory.getLogger(AcceleratorProbe.class);
    private static final Map<String, Result> CACHE = new ConcurrentHashMap<>();

    public record Result(Accelerator accelerator, String reason) {
        public String wireName() {
            return accelerator.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private AcceleratorProbe() {
    }

    public static Result resolve(Accelerator configured, Hypervisor hypervisor, Path hostFacts, Path kernel,
                                 Duration timeout, String probeName) {
        if (configured != Accelerator.AUTO) return new Result(configured, "configured");
        return CACHE.computeIfAbsent(hypervisor.uri(), uri -> probe(hypervisor, hostFacts, kernel, timeout, probeName));
    }

    private static Result probe(Hypervisor hypervisor, Path hostFacts, Path kernel, Duration timeout, String probeName) {
        Optional<Accelerator> fromFacts = readFacts(hostFacts);
        if (fromFacts.isPresent()) {
            Result r = new Result(fromFacts.get(), "host facts " + hostFacts);
            LOG.info("accelerator {} ({})", r.wireName(), r.reason());
            return r;
        }
        if (!Files.exists(Path.of("/dev/kvm"))) return logged(new Result(Accelerator.TCG, "/dev/kvm is absent"));
        if (kernel == null || !Files.isRegularFile(kernel)) {
            return logged(new Result(Accelerator.TCG, "no kernel to probe KVM with (" + kernel + ")"));
        }
        return logged(bootProbe(hypervisor, kernel, timeout, probeName));
    }

    private static Result logged(Result r) {
        LOG.info("accelerator {} ({})", r.wireName(), r.reason());
        return r;
    }

    static Optional<Accelerator> readFacts(Path file) {
        if (file == null || !Files.isReadable(file)) return Optional.empty();
        try {
            for (String line : Files.readAllLines(file)) {
                String l = line.strip();
                if (l.startsWith("VMTEST_ACCEL=")) {
                    String v = l.substring("VMTEST_ACCEL=".length()).replace("\"", "").strip();
                    if (v.equalsIgnoreCase("kvm")) return Optional.of(Accelerator.KVM);
                    if (v.equalsIgnoreCase("tcg")) return Optional.of(Accelerator.TCG);
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot read host facts {}: {}", file, e.getMessage());
        }
        return Optional.empty();
    }

    private static Result bootProbe(Hypervisor hypervisor, Path kernel, Duration timeout, String probeName) {
        CountDownLatch banner = new CountDownLatch(1);
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        ConsoleListener listener = (buf, len) -> {
            synchronized (seen) {
                if (seen.size() < 64 * 1024) seen.write(buf, 0, len);
                if (seen.toString(StandardCharsets.ISO_8859_1).contains("Linux version")) banner.countDown();
            }
        };
        DomainSpec spec = new DomainSpec(probeName, "kvm", 128, 1, kernel, null, "console=ttyS0 panic=-1",
                null, null, VmSpec.Firmware.BIOS, 0, 22, VmSpec.Network.RESTRICTED);
        long t0 = System.nanoTime();
        try (VirtualMachine vm = VirtualMachine.start(hypervisor, spec, null, listener)) {
            if (banner.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return new Result(Accelerator.KVM, "probe boot printed its banner in "
                        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms");
            }
            return new Result(Accelerator.TCG, "KVM probe boot printed nothing in " + timeout.toSeconds() + " s");
        } catch (VmStartException e) {
            return new Result(Accelerator.TCG, "KVM probe boot failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(Accelerator.TCG, "KVM probe interrupted");
        }
    }
}
