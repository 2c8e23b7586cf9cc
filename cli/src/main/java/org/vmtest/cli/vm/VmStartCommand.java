package org.vmtest.cli.vm;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.vmtest.cli.ExitCodes;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.profiles.ProfileYaml;
import org.vmtest.worker.ManualVm;
import org.vmtest.worker.WorkerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "start", mixinStandardHelpOptions = true,
        description = {"Starts a profile's VM the way a worker would (overlay disk, transient libvirt domain, fresh "
                + "SSH key), shows its console here and prints the ssh command. Ctrl-C destroys it and deletes "
                + "its overlay."})
public final class VmStartCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--profile", required = true, paramLabel = "P",
            description = "a profile name of the catalogue (--profiles) or a path to a profile file")
    String profile;

    @Mixin
    ProfilesDirOption profiles;

    @Mixin
    GuestDirOption guest;

    @Option(names = "--work-dir", defaultValue = "vmtest-out/vm", description = "overlay and key (default: ${DEFAULT-VALUE})")
    Path workDir;

    @Mixin
    LibvirtUriOption libvirt;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path file = profile.contains("/") || profile.endsWith(".yaml") ? Path.of(profile)
                : profiles.dir().resolve(profile + ".yaml");
        Profile p = ProfileYaml.read(file);
        WorkerConfig config = new WorkerConfig(new KafkaSettings(), "manual", 1, libvirt.uri(), null, guest.dir(), workDir,
                null, null, null, null, null, null);
        CountDownLatch interrupted = new CountDownLatch(1);
        try (ManualVm vm = ManualVm.start(p, config, line -> {
            out.println(line);
            out.flush();
        })) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                interrupted.countDown();
                vm.close();
            }, "vmtest-vm-cleanup"));
            out.printf("%nVM %s is starting (profile %s). When its console says sshd is ready:%n  %s%n"
                    + "Ctrl-C destroys the VM and deletes its overlay.%n%n", vm.domainName(), p.name(), vm.sshCommand());
            out.flush();
            interrupted.await();
        }
        return ExitCodes.OK;
    }
}
