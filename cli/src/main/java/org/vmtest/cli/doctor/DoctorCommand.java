package org.vmtest.cli.doctor;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.vmtest.cli.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import org.vmtest.cli.kafka.KafkaConfigOption;
import org.vmtest.protocol.kafka.KafkaSettings;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "doctor",
        mixinStandardHelpOptions = true,
        description = {"Checks that this host can run vmtest: Java, QEMU, libvirt and its permissions, KVM (a real "
                + "probe boot), the test guest, Kafka. Prints the fix for each failing check.",
                "Exit code 0 when everything needed is there (warnings allowed), 2 otherwise."})
public final class DoctorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--libvirt-uri", defaultValue = "${env:VMTEST_LIBVIRT_URI:-qemu:///system}",
            description = "libvirt connection URI (default: ${DEFAULT-VALUE})")
    String libvirtUri;

    @Option(names = "--guest-dir", defaultValue = "${env:VMTEST_GUEST_DIR:-vmtest-out/guest}",
            description = "the test guest's build output (default: ${DEFAULT-VALUE})")
    Path guestDir;

    @Option(names = "--bootstrap", defaultValue = "${env:VMTEST_BOOTSTRAP}",
            description = "Kafka bootstrap servers to check (default: $VMTEST_BOOTSTRAP; none: Kafka is not checked)")
    String bootstrap;

    @Mixin
    KafkaConfigOption kafkaConfig;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<Check> checks = new ArrayList<>();
        checks.add(HostChecks.java());
        checks.add(HostChecks.qemu());
        checks.add(HostChecks.realGuests());
        checks.add(HostChecks.libvirt(libvirtUri));
        checks.add(HostChecks.libvirtPermissions());
        checks.add(HostChecks.guest(guestDir));
        checks.add(HostChecks.kvm(guestDir));
        if (bootstrap != null && !bootstrap.isBlank()) {
            checks.add(KafkaCheck.reachable(kafkaConfig.apply(KafkaSettings.of(bootstrap))));
        } else {
            checks.add(Check.warn("kafka", "not checked: no cluster given",
                    "pass --bootstrap HOST:PORT or set VMTEST_BOOTSTRAP; `vmtest dev` brings its own broker"));
        }
        out.println("vmtest doctor");
        for (Check c : checks) {
            out.printf("  %s %-14s %s%n", c.status().label(), c.name(), c.detail());
            if (!c.fix().isEmpty()) out.printf("         %-14s fix: %s%n", "", c.fix());
        }
        long failed = checks.stream().filter(c -> c.status() == Check.Status.FAIL).count();
        out.println(failed == 0 ? "all needed checks passed" : failed + " needed check(s) failed");
        out.flush();
        return failed == 0 ? ExitCodes.OK : ExitCodes.INFRASTRUCTURE;
    }
}
