package org.vmtest.worker.vm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Base64;
import java.util.regex.Pattern;
import org.vmtest.protocol.Accelerator;
import org.vmtest.protocol.jobs.ImagePath;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.protocol.jobs.SshSpec;
import org.vmtest.protocol.jobs.VmSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a profile into a running {@link VirtualMachine}: resolves its images inside the image directory (never
 * outside it, whatever the job record says),
 * puts the job's files under this worker's own directory (an overlay of the base disk or a blank disk, a cloud-init
 * seed, a UEFI variables store), passes the job's SSH key on the kernel command line or in the seed, and
 * names the domain {@code vmtest-<workerId>-<job>-a<attempt>} so that a restarted worker finds (and removes)
 * exactly what it left behind, and nothing of another worker's.
 */
public final class VmLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(VmLauncher.class);
    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9_.-]");
    /** The names of the job files in the overlay directory, after the domain name; {@link #sweep()} removes them. */
    static final String DISK_SUFFIX = ".qcow2";
    static final String SEED_SUFFIX = "-seed.iso";
    static final String VARS_SUFFIX = "-VARS.fd";

    private final Hypervisor hypervisor;
    private final String workerId;
    private final Path imageDir;
    private final Path overlayDir;

    public VmLauncher(Hypervisor hypervisor, String workerId, Path imageDir, Path ownWorkDir) {
        this.hypervisor = hypervisor;
        this.workerId = workerId;
        this.imageDir = imageDir;
        this.overlayDir = ownWorkDir.resolve("overlays");
    }

    public String domainPrefix() {
        return "vmtest-" + workerId + "-";
    }

    public String domainName(String jobId, int attempt) {
        String job = UNSAFE.matcher(jobId).replaceAll("_");
        if (job.length() > 120) job = job.substring(0, 120);
        return domainPrefix() + job + "-a" + attempt;
    }

    /**
     * @param accelerator KVM or TCG: what the probe found (AUTO is resolved before)
     * @param sshPublicKey one OpenSSH public key line, or null when the profile does not deliver a key
     */
    public VirtualMachine launch(Profile profile, String domainName, Accelerator accelerator, String sshPublicKey,
                                 ConsoleListener console) throws VmStartException {
        VmSpec vm = profile.vm();
        SshSpec ssh = profile.ssh();
        boolean blankDisk = vm.disk() == null && vm.diskSizeGiB() > 0;
        Path disk = vm.disk() == null && !blankDisk ? null : overlayDir.resolve(domainName + DISK_SUFFIX);
        Path seed = ssh.keyDelivery() == SshSpec.KeyDelivery.CLOUD_INIT ? overlayDir.resolve(domainName + SEED_SUFFIX) : null;
        Path vars = vm.firmware() == VmSpec.Firmware.UEFI ? overlayDir.resolve(domainName + VARS_SUFFIX) : null;
        List<Path> jobFiles = new ArrayList<>();
        for (Path p : new Path[] {disk, seed, vars}) if (p != null) jobFiles.add(p);
        int port = ssh.keyDelivery() == SshSpec.KeyDelivery.NONE ? 0 : PortAllocator.take();
        boolean started = false;
        try {
            if (blankDisk) {
                Overlays.createBlank(disk, vm.diskSizeGiB());
            } else if (disk != null) {
                Overlays.create(image(vm.disk(), "disk"), disk);
            }
            if (seed != null) {
                if (sshPublicKey == null) throw new VmStartException("ssh.keyDelivery CLOUD_INIT: no key to deliver");
                CloudInitSeed.create(seed, sshPublicKey, ssh.user(), ssh.cloudInitUserData(), "vmtest-guest");
            }
            DomainSpec.UefiVars uefi = vars == null ? null : UefiFirmware.forJob(vars);
            DomainSpec spec = new DomainSpec(domainName, accelerator == Accelerator.KVM ? "kvm" : "qemu",
                    vm.memoryMiB(), vm.vcpus(),
                    vm.kernel() == null ? null : image(vm.kernel(), "kernel"),
                    vm.initrd() == null ? null : image(vm.initrd(), "initrd"),
                    cmdline(vm.cmdline(), ssh, sshPublicKey),
                    vm.iso() == null ? null : image(vm.iso(), "iso"),
                    disk, vm.firmware(), port, ssh.port(), vm.network(), seed, uefi);
            VirtualMachine machine = VirtualMachine.start(hypervisor, spec, jobFiles, console);
            started = true;
            return machine;
        } finally {
            if (!started) {
                if (port > 0) PortAllocator.release(port);
                jobFiles.forEach(VmLauncher::deleteQuietly);
            }
        }
    }

    static String cmdline(String base, SshSpec ssh, String publicKey) {
        if (ssh.keyDelivery() != SshSpec.KeyDelivery.KERNEL_CMDLINE || publicKey == null) return base;
        String b64 = Base64.getEncoder().encodeToString((publicKey.strip() + "\n").getBytes(StandardCharsets.UTF_8));
        return (base.isBlank() ? "" : base.strip() + " ") + "vmtest.ssh_key=" + b64;
    }

    /**
     * The real path of a profile's image, refused unless it lies inside the image directory. The text rule
     * ({@link ImagePath}) is checked again here because anyone who can write the jobs topic reaches this worker
     * without the coordinator; the real path catches a symlink inside the directory that leads out of it. QEMU is
     * given the real path, so it opens the file that was checked.
     */
    Path image(String path, String what) throws VmStartException {
        if (!ImagePath.staysInside(path)) throw new VmStartException(new ImagePath.Violation(what, path).message());
        Path p = imageDir.resolve(path).toAbsolutePath().normalize();
        if (!Files.isRegularFile(p)) {
            throw new VmStartException("vm." + what + " " + p + " does not exist (image directory " + imageDir + ")");
        }
        Path real;
        Path root;
        try {
            root = imageDir.toRealPath();
            real = p.toRealPath();
        } catch (IOException e) {
            throw new VmStartException("vm." + what + " " + p + ": cannot resolve: " + e.getMessage(), e);
        }
        if (!real.startsWith(root)) {
            throw new VmStartException("vm." + what + ": must be a path inside the image directory, not " + path
                    + " (it leads to " + real + ", outside " + root + ")");
        }
        return real;
    }

    /** Removes the domains and job files this worker left behind in an earlier life; returns what it removed. */
    public int sweep() {
        int removed = 0;
        for (String name : hypervisor.domainsNamed(domainPrefix())) {
            if (hypervisor.destroy(name)) {
                LOG.warn("destroyed domain {} left over from an earlier run of worker {}", name, workerId);
                removed++;
            }
        }
        if (Files.isDirectory(overlayDir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(overlayDir,
                    "{*" + DISK_SUFFIX + ",*" + SEED_SUFFIX + ",*" + VARS_SUFFIX + "}")) {
                for (Path f : files) {
                    Files.deleteIfExists(f);
                    LOG.warn("deleted job file {} left over from an earlier run", f);
                    removed++;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot sweep " + overlayDir, e);
            }
        }
        return removed;
    }

    private static void deleteQuietly(Path p) {
        if (p == null) return;
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", p, e.getMessage());
        }
    }
}
