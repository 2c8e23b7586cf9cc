package org.vmtest.cli.doctor;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.vmtest.cli.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import org.vmtest.cli.kafka.KafkaOptions;
import org.vmtest.cli.vm.GuestDirOption;
import org.vmtest.cli.vm.LibvirtUriOption;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

@Command(name = "doctor",
        mixinStandardHelpOptions = true,
        description = {"Checks that this host can run vmtest: Java, QEMU, libvirt and its permissions, KVM (a real "
                + "probe boot), the test guest, Kafka (with --bootstrap or $VMTEST_BOOTSTRAP). Prints the fix for each failing check.",
                "Exit code 0 when everything needed is there (warnings allowed), 2 otherwise."})
public final class DoctorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    LibvirtUriOption libvirt;

    @Mixin
    GuestDirOption guest;

    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<Check> checks = new ArrayList<>();
        checks.add(HostChecks.java());
        checks.add(HostChecks.qemu());
        checks.add(HostChecks.realGuests());
        checks.add(HostChecks.libvirt(libvirt.uri()));
        checks.add(HostChecks.libvirtPermissions());
        checks.add(HostChecks.guest(guest.dir()));
        checks.add(HostChecks.kvm(guest.dir()));
        if (kafka.given()) {
            checks.add(KafkaCheck.reachable(kafka.settings()));
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
