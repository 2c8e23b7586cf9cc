package org.vmtest.cli.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.vmtest.cli.VmtestCommand;
import org.vmtest.testing.KafkaClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/** Runs {@code vmtest doctor} on this machine, as set up by deploy/host-setup.sh and the test guest build. */
class DoctorCommandIT {
    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private record Outcome(int exitCode, String out) {
    }

    private static Outcome doctor(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new VmtestCommand());
        cli.setOut(new PrintWriter(out, true));
        String[] all = new String[args.length + 1];
        all[0] = "doctor";
        System.arraycopy(args, 0, all, 1, args.length);
        int rc = cli.execute(all);
        return new Outcome(rc, out.toString());
    }

    @Test
    void aPreparedHostPassesEveryNeededCheckAndSaysSo() {
        Outcome o = doctor("--guest-dir", System.getProperty("vmtest.guest.dir", "../vmtest-out/guest"),
                "--bootstrap", KAFKA.bootstrapServers());

        assertThat(o.out())
                .containsPattern("\\[ok\\] +java ")
                .containsPattern("\\[ok\\] +qemu +QEMU emulator version")
                .containsPattern("\\[ok\\] +libvirt +qemu:///system answers, libvirt \\d+\\.\\d+")
                .containsPattern("\\[ok\\] +test-guest ")
                .containsPattern("\\[ok\\] +kafka +.* answers: cluster ")
                .containsPattern("\\[(ok|warn)\\] +kvm ")
                .contains("all needed checks passed");
        assertThat(o.exitCode()).isZero();
    }

    @Test
    void aMissingGuestAndAnUnreachableBrokerFailWithTheirFixes(@org.junit.jupiter.api.io.TempDir java.nio.file.Path empty) {
        Outcome o = doctor("--guest-dir", empty.toString(), "--bootstrap", "127.0.0.1:1");

        assertThat(o.out())
                .containsPattern("\\[FAIL\\] +test-guest .* lacks vmlinuz")
                .contains("fix: build it: deploy/test-guest/build.sh")
                .containsPattern("\\[FAIL\\] +kafka +127.0.0.1:1 does not answer")
                .contains("2 needed check(s) failed");
        assertThat(o.exitCode()).isEqualTo(2);
    }

    @Test
    void anUnreachableLibvirtIsAFailureWithAFix() {
        Outcome o = doctor("--libvirt-uri", "qemu+unix:///system?socket=/nonexistent/libvirt-sock");

        assertThat(o.out()).containsPattern("\\[FAIL\\] +libvirt +cannot connect to").contains("fix: ");
        assertThat(o.exitCode()).isEqualTo(2);
    }
}
