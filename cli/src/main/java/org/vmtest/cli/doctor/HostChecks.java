package org.vmtest.cli.doctor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/** The checks of {@code vmtest doctor} that look at this host: Java, QEMU, libvirt, KVM and the test guest. */
final class HostChecks {
    private static final String HOST_SETUP = "run deploy/host-setup.sh as root (installs and starts what is missing)";
    private static final Pattern QEMU_CONF_ROOT = Pattern.compile("(?m)^\\s*user\\s*=\\s*\"root\"");

    private HostChecks() {
    }

    static Check java() {
        Runtime.Version v = Runtime.version();
        String detail = v + " (" + System.getProperty("java.vendor") + ", " + System.getProperty("java.home") + ")";
        return v.feature() >= 17 ? Check.ok("java", detail)
                : Check.fail("java", detail, "install Java 17 or newer (apt-get install openjdk-17-jdk-headless)");
    }

    static Check qemu() {
        Result r = run(Duration.ofSeconds(10), "qemu-system-x86_64", "--version");
        if (r.exit() != 0) {
            return Check.fail("qemu", "qemu-system-x86_64 not found or not working: " + r.firstLine(),
                    "apt-get install qemu-system-x86 qemu-utils, or " + HOST_SETUP);
        }
        Result img = run(Duration.ofSeconds(10), "qemu-img", "--version");
        if (img.exit() != 0) {
            return Check.fail("qemu", "qemu-img missing (needed for per-job overlay disks)", "apt-get install qemu-utils");
        }
        return Check.ok("qemu", r.firstLine());
    }

    /**
     * What real guests need beyond QEMU: xorriso builds the cloud-init seed of {@code ssh.keyDelivery: CLOUD_INIT},
     * OVMF (Debian's ovmf) is the firmware of {@code vm.firmware: UEFI}.
     */
    static Check realGuests() {
        return realGuests(Path.of("/usr/share/OVMF/OVMF_CODE_4M.fd"), Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd"));
    }

    static Check realGuests(Path ovmfCode, Path ovmfVars) {
        Result x = run(Duration.ofSeconds(10), "xorriso", "-version");
        if (x.exit() != 0) {
            return Check.fail("real guests", "xorriso not found (builds the cloud-init seed of ssh.keyDelivery CLOUD_INIT)",
                    "apt-get install xorriso, or " + HOST_SETUP);
        }
        if (!Files.isRegularFile(ovmfCode) || !Files.isRegularFile(ovmfVars)) {
            return Check.fail("real guests", "UEFI firmware missing: " + ovmfCode + " / " + ovmfVars
                    + " (vm.firmware UEFI)", "apt-get install ovmf, or " + HOST_SETUP);
        }
        return Check.ok("real guests", "xorriso (cloud-init seeds), OVMF " + ovmfCode.getParent() + " (UEFI)");
    }

    static Check libvirt(String uri) {
        Connect connect = null;
        try {
            connect = new Connect(uri, true);
            long v = connect.getLibVirVersion();
            return Check.ok("libvirt", uri + " answers, libvirt " + (v / 1_000_000) + "." + (v / 1000 % 1000) + "."
                    + (v % 1000));
        } catch (LibvirtException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            String fix = msg.contains("ermission denied")
                    ? "run as root, or add your user to the 'libvirt' group and log in again"
                    : msg.contains("virtlogd") ? "start virtlogd first (virtlogd -d), then libvirtd -d; or " + HOST_SETUP
                    : "start libvirtd (libvirtd -d, or systemctl start libvirtd); or " + HOST_SETUP;
            return Check.fail("libvirt", "cannot connect to " + uri + ": " + msg.strip(), fix);
        } catch (LinkageError e) {
            return Check.fail("libvirt", "the libvirt client library cannot be loaded: " + e.getMessage(),
                    "apt-get install libvirt-clients (brings libvirt0), or " + HOST_SETUP);
        } finally {
            if (connect != null) {
                try {
                    connect.close();
                } catch (LibvirtException ignored) {
                    // closing a read-only probe connection: nothing to clean up if it fails
                }
            }
        }
    }

    /** libvirt's QEMU user must be able to use /dev/kvm, else it re-probes QEMU on every domain start (~44 s). */
    static Check libvirtPermissions() {
        Path conf = Path.of("/etc/libvirt/qemu.conf");
        if (!Files.isReadable(conf)) {
            return Check.warn("libvirt-perms", conf + " not readable; cannot tell which user runs QEMU", HOST_SETUP);
        }
        try {
            String text = Files.readString(conf);
            if (QEMU_CONF_ROOT.matcher(text).find()) {
                return Check.ok("libvirt-perms", "QEMU runs as root (" + conf + "): domains start in under a second");
            }
            return Check.warn("libvirt-perms", "QEMU runs as an unprivileged user: each VM start may take ~45 s "
                            + "while libvirt re-probes QEMU",
                    "set user = \"root\" and group = \"root\" in " + conf + " and restart libvirtd, or " + HOST_SETUP);
        } catch (IOException e) {
            return Check.warn("libvirt-perms", "cannot read " + conf + ": " + e.getMessage(), HOST_SETUP);
        }
    }

    /**
     * Whether KVM really runs guests: the device can exist while guests hang, so a short real boot of the test
     * guest's kernel decides. Without the guest, only the device and QEMU's accelerator start are checked.
     */
    static Check kvm(Path guestDir) {
        Path dev = Path.of("/dev/kvm");
        String tcg = "VMs will run under TCG (software emulation, several times slower)";
        if (!Files.exists(dev)) {
            return Check.warn("kvm", "/dev/kvm absent: " + tcg,
                    "on a KVM host enable virtualization in the firmware and load kvm_intel or kvm_amd");
        }
        Path kernel = guestDir.resolve("vmlinuz");
        if (!Files.exists(kernel)) {
            return Check.warn("kvm", "/dev/kvm present but not probed (no test guest kernel to boot)",
                    "build the test guest: deploy/test-guest/build.sh");
        }
        Result r = run(Duration.ofSeconds(20), "qemu-system-x86_64", "-accel", "kvm", "-cpu", "host", "-m", "128",
                "-display", "none", "-nodefaults", "-no-reboot", "-serial", "stdio", "-kernel", kernel.toString(),
                "-append", "console=ttyS0 panic=-1 root=/dev/null");
        if (r.output().contains("Linux version")) {
            return Check.ok("kvm", "a probe boot under KVM reached the kernel");
        }
        return Check.warn("kvm", "/dev/kvm present but a probe boot under KVM failed (" + r.firstLine() + "): " + tcg,
                "check that nested virtualization is enabled and that this user may open /dev/kvm");
    }

    static Check guest(Path guestDir) {
        List<String> needed = List.of("vmlinuz", "initrd.img", "base.qcow2", "guest.properties");
        List<String> missing = needed.stream().filter(f -> !Files.isRegularFile(guestDir.resolve(f))).toList();
        if (!missing.isEmpty()) {
            return Check.fail("test-guest", guestDir + " lacks " + String.join(", ", missing),
                    "build it: deploy/test-guest/build.sh " + guestDir + " (as root, fetches Debian packages)");
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(guestDir.resolve("guest.properties"))) {
            p.load(in);
        } catch (IOException e) {
            return Check.fail("test-guest", "cannot read guest.properties: " + e.getMessage(), "rebuild the test guest");
        }
        return Check.ok("test-guest", guestDir + " (kernel " + p.getProperty("kernel.version", "?") + ")");
    }

    record Result(int exit, String output) {
        String firstLine() {
            String s = output.strip();
            int nl = s.indexOf('\n');
            return nl < 0 ? s : s.substring(0, nl);
        }
    }

    /** Runs a short command with a hard deadline; never hangs, never throws. */
    static Result run(Duration limit, String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            StringBuilder out = new StringBuilder();
            Thread reader = new Thread(() -> {
                try (InputStream in = p.getInputStream()) {
                    byte[] buf = new byte[8192];
                    int n;
                    while ((n = in.read(buf)) > 0 && out.length() < 1_000_000) {
                        synchronized (out) {
                            out.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                        }
                    }
                } catch (IOException ignored) {
                    // the process was killed at its deadline: what was read is what we have
                }
            });
            reader.start();
            boolean done = p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            reader.join(2000);
            synchronized (out) {
                return new Result(done ? p.exitValue() : -1, out.toString());
            }
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
