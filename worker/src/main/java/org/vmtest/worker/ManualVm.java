package org.vmtest.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Comparator;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.protocol.jobs.SshSpec;
import org.vmtest.worker.ssh.KeyDirectory;
import org.vmtest.worker.ssh.SshKeys;
import org.vmtest.worker.stream.LineAssembler;
import org.vmtest.worker.stream.TextSanitizer;
import org.vmtest.worker.vm.AcceleratorProbe;
import org.vmtest.worker.vm.ConsoleListener;
import org.vmtest.worker.vm.Hypervisor;
import org.vmtest.worker.vm.VirtualMachine;
import org.vmtest.worker.vm.VmLauncher;
import org.vmtest.worker.vm.VmStartException;

/**
 * A profile's VM for a person at a terminal ({@code vmtest vm start --profile P}): started like a job's, its
 * console handed to {@code consoleSink} line by line (sanitised), its private key written to the work directory
 * (mode 0600) so that {@link #sshCommand()} works from a shell. {@link #close()} removes VM, overlay and key.
 */
public final class ManualVm implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ManualVm.class);
    private final Hypervisor hypervisor;
    private final Path dir;
    private final VirtualMachine vm;
    private final Path privateKey;
    private final String user;

    private ManualVm(Hypervisor hypervisor, VirtualMachine vm, Path dir, Path privateKey, String user) {
        this.hypervisor = hypervisor;
        this.dir = dir;
        this.vm = vm;
        this.privateKey = privateKey;
        this.user = user;
    }

    public static ManualVm start(Profile profile, WorkerConfig config, Consumer<String> consoleSink)
            throws VmStartException, IOException {
        String id = "manual_" + ProcessHandle.current().pid();
        Path dir = config.workDir().resolve(id);
        Hypervisor hypervisor = Hypervisor.open(config.libvirtUri());
        try {
            VmLauncher launcher = new VmLauncher(hypervisor, id, config.imageDir(), dir);
            AcceleratorProbe.Result accel = AcceleratorProbe.resolve(config.accelerator(), hypervisor,
                    config.hostFacts(), config.imageDir().resolve("vmlinuz"), config.probeTimeout(),
                    launcher.domainPrefix() + "kvm-probe");
            KeyPair keys = SshKeys.generate();
            Path key = dir.resolve("id_ecdsa");
            boolean ownKey = profile.ssh().keyDelivery() == SshSpec.KeyDelivery.KERNEL_CMDLINE;
            if (ownKey) SshKeys.writePrivateKey(keys, key, "vmtest-manual");
            Path identity = ownKey ? key
                    : profile.ssh().keyDelivery() == SshSpec.KeyDelivery.IDENTITY_FILE
                    ? new KeyDirectory(config.keyDir()).resolve(profile.ssh().identityFile()) : Path.of("");
            LineAssembler lines = new LineAssembler((b, len, continued) -> consoleSink.accept(TextSanitizer.sanitize(b, 0, len)));
            ConsoleListener console = new ConsoleListener() {
                @Override
                public void bytes(byte[] buf, int len) {
                    lines.feed(buf, 0, len);
                }

                @Override
                public void ended() {
                    lines.finish();
                }
            };
            VirtualMachine vm = launcher.launch(profile, launcher.domainName(profile.name(), 1), accel.accelerator(),
                    ownKey ? SshKeys.openSshPublicLine(keys, "vmtest-manual") : null, console);
            return new ManualVm(hypervisor, vm, dir, identity, profile.ssh().user());
        } catch (VmStartException | IOException | RuntimeException e) {
            hypervisor.close();
            throw e;
        }
    }

    public String domainName() {
        return vm.name();
    }

    public int sshPort() {
        return vm.sshPort();
    }

    public Path privateKey() {
        return privateKey;
    }

    /** A command line that logs into the guest from a shell on this host. */
    public String sshCommand() {
        return "ssh -i " + privateKey + " -p " + vm.sshPort()
                + " -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null " + user + "@127.0.0.1";
    }

    /** The directory of this VM's overlay and key. */
    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        vm.close();
        // the overlay went with the VM; what is left is the key and the empty directories that held both
        try (Stream<Path> left = Files.walk(dir)) {
            for (Path p : left.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (NoSuchFileException e) {
            // nothing was written
        } catch (IOException e) {
            LOG.warn("could not remove {}: {}", dir, e.getMessage());
        }
        hypervisor.close();
    }
}
