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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.vmtest.protocol.Accelerator;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.jobs.ArtifactSpec;
import org.vmtest.protocol.jobs.ImagePath;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.protocol.jobs.SshSpec;
import org.vmtest.protocol.jobs.VmSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.worker.artifacts.ArtifactCache;
import org.vmtest.worker.artifacts.ArtifactException;
import org.vmtest.worker.artifacts.JobArtifacts;

/**
 * Turns a profile into a running {@link VirtualMachine}: resolves its images inside the image directory (never
 * outside it, whatever the job record says) or, for {@code artifact:NAME}, fetches them into the artifact cache,
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
    private final ArtifactCache artifacts;

    /** A launcher for profiles that name images in the image directory only. */
    public VmLauncher(Hypervisor hypervisor, String workerId, Path imageDir, Path ownWorkDir) {
        this(hypervisor, workerId, imageDir, ownWorkDir, null);
    }

    /** @param artifacts where {@code artifact:NAME} images are fetched to; null for a launcher without one */
    public VmLauncher(Hypervisor hypervisor, String workerId, Path imageDir, Path ownWorkDir, ArtifactCache artifacts) {
        this.hypervisor = hypervisor;
        this.workerId = workerId;
        this.imageDir = imageDir;
        this.overlayDir = ownWorkDir.resolve("overlays");
        this.artifacts = artifacts;
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
        return launch(profile, Map.of(), line -> { }, domainName, accelerator, sshPublicKey, console);
    }

    /**
     * @param jobArtifacts the job's artifacts by name, for the images the profile names {@code artifact:NAME}; they
     *                     are fetched (or found in the cache) first and held until the VM is closed
     * @param workerLines  where fetch progress goes: the job's worker lines
     */
    public VirtualMachine launch(Profile profile, Map<String, ArtifactSpec> jobArtifacts, Consumer<String> workerLines,
                                 String domainName, Accelerator accelerator, String sshPublicKey,
                                 ConsoleListener console) throws VmStartException {
        return launch(profile, fetchArtifacts(profile, jobArtifacts, workerLines), domainName, accelerator,
                sshPublicKey, console);
    }

    /**
     * Starts the domain on artifacts fetched before with {@link #fetchArtifacts}; they are held until the VM is
     * closed, and released here when it does not start.
     */
    public VirtualMachine launch(Profile profile, JobArtifacts fetched, String domainName, Accelerator accelerator,
                                 String sshPublicKey, ConsoleListener console) throws VmStartException {
        VmSpec vm = profile.vm();
        SshSpec ssh = profile.ssh();
        boolean blankDisk = vm.disk() == null && vm.diskSizeGiB() > 0;
        Path disk = vm.disk() == null && !blankDisk ? null : overlayDir.resolve(domainName + DISK_SUFFIX);
        Path seed = ssh.keyDelivery() == SshSpec.KeyDelivery.CLOUD_INIT ? overlayDir.resolve(domainName + SEED_SUFFIX) : null;
        Path vars = vm.firmware() == VmSpec.Firmware.UEFI ? overlayDir.resolve(domainName + VARS_SUFFIX) : null;
        List<Path> jobFiles = new ArrayList<>();
        for (Path p : new Path[] {disk, seed, vars}) if (p != null) jobFiles.add(p);
        int port = 0;
        boolean started = false;
        try {
            // every image is looked up before any job file is made: a job naming a missing one fails at once
            Path base = disk == null || blankDisk ? null : image(vm.disk(), "disk", fetched);
            Path kernel = vm.kernel() == null ? null : image(vm.kernel(), "kernel", fetched);
            Path initrd = vm.initrd() == null ? null : image(vm.initrd(), "initrd", fetched);
            Path iso = vm.iso() == null ? null : image(vm.iso(), "iso", fetched);
            port = ssh.keyDelivery() == SshSpec.KeyDelivery.NONE ? 0 : PortAllocator.take();
            if (blankDisk) {
                Overlays.createBlank(disk, vm.diskSizeGiB());
            } else if (disk != null) {
                Overlays.create(base, disk);
            }
            if (seed != null) {
                if (sshPublicKey == null) throw new VmStartException("ssh.keyDelivery CLOUD_INIT: no key to deliver");
                CloudInitSeed.create(seed, sshPublicKey, ssh.user(), ssh.cloudInitUserData(), "vmtest-guest");
            }
            DomainSpec.UefiVars uefi = vars == null ? null : UefiFirmware.forJob(vars);
            DomainSpec spec = new DomainSpec(domainName, accelerator == Accelerator.KVM ? "kvm" : "qemu",
                    vm.memoryMiB(), vm.vcpus(),
                    kernel, initrd, cmdline(vm.cmdline(), ssh, sshPublicKey), iso,
                    disk, vm.firmware(), port, ssh.port(), vm.network(), seed, uefi);
            VirtualMachine machine = VirtualMachine.start(hypervisor, spec, jobFiles, console);
            machine.holdUntilClosed(fetched);
            started = true;
            return machine;
        } finally {
            if (!started) {
                if (port > 0) PortAllocator.release(port);
                jobFiles.forEach(VmLauncher::deleteQuietly);
                fetched.close();
            }
        }
    }

    /**
     * The verified files of the images the profile names {@code artifact:NAME}, all fetched at once within the
     * profile's provisioning time. A failure names the artifact and what went wrong. An interrupt of the calling
     * thread stops the fetch at once (downloads no other job waits for are cancelled).
     */
    public JobArtifacts fetchArtifacts(Profile profile, Map<String, ArtifactSpec> jobArtifacts,
                                        Consumer<String> workerLines) throws VmStartException {
        Map<String, ArtifactSpec> wanted = new LinkedHashMap<>();
        for (Map.Entry<String, String> image : profile.vm().imagePaths().entrySet()) {
            Optional<String> name = ImagePath.artifactName(image.getValue());
            if (name.isEmpty()) continue;
            ArtifactSpec spec = jobArtifacts.get(name.get());
            if (spec == null) {
                throw new VmStartException("vm." + image.getKey() + " names " + image.getValue()
                        + ", which is not one of the job's artifacts " + jobArtifacts.keySet(), null, false);
            }
            wanted.put(name.get(), spec);
        }
        if (wanted.isEmpty()) return JobArtifacts.none();
        if (artifacts == null) throw new VmStartException("this worker has no artifact cache");
        try {
            return artifacts.fetch(wanted, workerLines, profile.timeout(Phase.PROVISIONING));
        } catch (ArtifactException e) {
            throw new VmStartException(e.getMessage(), e, e.mayRetryElsewhere());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmStartException("interrupted while fetching artifacts " + wanted.keySet(), e);
        }
    }

    /** An image field's file: a verified artifact from the cache, or a file inside the image directory. */
    private Path image(String path, String what, JobArtifacts fetched) throws VmStartException {
        Optional<String> artifact = ImagePath.artifactName(path);
        if (artifact.isEmpty()) return image(path, what);
        Path file = fetched.path(artifact.get());
        if (file == null) throw new VmStartException("vm." + what + ": artifact " + artifact.get() + " was not fetched");
        if (what.equals("disk")) DownloadedDisk.check(file, what, artifact.get());
        return file;
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
