package org.vmtest.protocol.profiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.vmtest.protocol.Accelerator;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.jobs.ConsoleStep;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.protocol.jobs.SshSpec;
import org.vmtest.protocol.jobs.VmSpec;

class ProfileYamlTest {
    private static final Path SHIPPED = Path.of("..", "deploy", "profiles");

    @Test
    void everyShippedScenarioProfileLoads() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(SHIPPED)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).extracting(p -> p.getFileName().toString())
                .contains("pass.yaml", "panic.yaml", "test-fail.yaml", "hang.yaml", "flood.yaml", "garbage.yaml");

        for (Path file : files) {
            Profile profile = ProfileYaml.read(file);
            assertThat(file.getFileName().toString()).isEqualTo(profile.name() + ".yaml");
        }
    }

    @Test
    void theDebianProfilesBootTheirDiskAndTakeTheKeyThroughCloudInit() throws Exception {
        Profile cloud = ProfileYaml.read(SHIPPED.resolve("debian-cloud.yaml"));
        assertThat(cloud.vm().directBoot()).isFalse();
        assertThat(cloud.vm().disk()).isEqualTo("debian/debian-12.qcow2");
        assertThat(cloud.vm().firmware()).isEqualTo(org.vmtest.protocol.jobs.VmSpec.Firmware.BIOS);
        assertThat(cloud.ssh().keyDelivery()).isEqualTo(SshSpec.KeyDelivery.CLOUD_INIT);
        assertThat(ProfileYaml.read(SHIPPED.resolve("debian-uefi.yaml")).vm().firmware())
                .isEqualTo(org.vmtest.protocol.jobs.VmSpec.Firmware.UEFI);
    }

    @Test
    void anInstallerIsoWithABlankDiskAndExtraCloudConfigLoad() throws Exception {
        Profile p = ProfileYaml.parse("installer.yaml", """
                name: installer
                vm:
                  iso: installer.iso
                  diskSizeGiB: 4
                ssh:
                  keyDelivery: CLOUD_INIT
                  cloudInitUserData: |
                    runcmd: [[touch, /run/x]]
                """);
        assertThat(p.vm().diskSizeGiB()).isEqualTo(4);
        assertThat(p.vm().disk()).isNull();
        assertThat(p.ssh().cloudInitUserData()).contains("runcmd");
    }

    @Test
    void aBlankDiskSizeBesideADiskIsRefusedNamingBothFields() {
        assertThatThrownBy(() -> ProfileYaml.parse("both-disks.yaml", """
                name: both-disks
                vm:
                  iso: installer.iso
                  disk: base.qcow2
                  diskSizeGiB: 4
                """)).isInstanceOf(ProfileException.class)
                .hasMessageContaining("vm.disk or vm.diskSizeGiB");
    }

    @Test
    void cloudInitUserDataWithoutCloudInitIsRefused() {
        assertThatThrownBy(() -> ProfileYaml.parse("ud.yaml", """
                name: ud
                vm:
                  kernel: vmlinuz
                ssh:
                  cloudInitUserData: "a: b"
                """)).isInstanceOf(ProfileException.class)
                .hasMessageContaining("ssh.cloudInitUserData needs ssh.keyDelivery CLOUD_INIT");
    }

    @Test
    void thePassProfileSaysWhatTheTestGuestNeeds() throws Exception {
        Profile pass = ProfileYaml.read(SHIPPED.resolve("pass.yaml"));

        assertThat(pass.vm().directBoot()).isTrue();
        assertThat(pass.vm().cmdline()).contains("vmtest.scenario=pass");
        assertThat(pass.vm().accelerator()).isEqualTo(Accelerator.AUTO);
        assertThat(pass.ssh().keyDelivery()).isEqualTo(SshSpec.KeyDelivery.KERNEL_CMDLINE);
        assertThat(pass.reboot()).isTrue();
        assertThat(pass.tests()).hasSize(2);
        assertThat(pass.stallLimits()).containsEntry(Phase.INSTALLATION, Duration.ofSeconds(60));
        assertThat(pass.timeout(Phase.REBOOT)).isEqualTo(Duration.ofMinutes(3));
    }

    @Test
    void aMinimalProfileGetsSaneDefaults() throws Exception {
        Profile p = ProfileYaml.parse("min.yaml", """
                name: min
                vm:
                  kernel: vmlinuz
                """);

        assertThat(p.vm().memoryMiB()).isEqualTo(256);
        assertThat(p.vm().vcpus()).isEqualTo(1);
        assertThat(p.ssh().user()).isEqualTo("root");
        assertThat(p.attemptLimit()).isEqualTo(3);
        assertThat(p.timeout(Phase.TESTING)).isEqualTo(Profile.DEFAULT_PHASE_TIMEOUT);
    }

    @Test
    void anUnknownKeyIsReportedWithItsLine() {
        assertThatThrownBy(() -> ProfileYaml.parse("typo.yaml", """
                name: typo
                vm:
                  kernel: vmlinuz
                  memroyMiB: 512
                """))
                .isInstanceOf(ProfileException.class)
                .hasMessageContaining("typo.yaml:4:")
                .hasMessageContaining("unknown key 'memroyMiB'")
                .satisfies(e -> assertThat(((ProfileException) e).line()).isEqualTo(4));
    }

    @Test
    void aBrokenInvariantIsReportedWithTheLineOfItsSection() {
        assertThatThrownBy(() -> ProfileYaml.parse("both.yaml", """
                name: both
                vm:
                  kernel: vmlinuz
                  iso: installer.iso
                """))
                .isInstanceOf(ProfileException.class)
                .hasMessageContaining("both.yaml:")
                .hasMessageContaining("at most one of kernel (direct boot) or iso");
    }

    @Test
    void anImagePathOutsideTheImageDirectoryIsRefusedNamingTheFieldAndItsLine() {
        assertThatThrownBy(() -> ProfileYaml.parse("escape.yaml", """
                name: escape
                vm:
                  memoryMiB: 256
                  kernel: vmlinuz
                  disk: ../../x
                """))
                .isInstanceOf(ProfileException.class)
                .hasMessage("escape.yaml:5:1: vm.disk: must be a path inside the image directory, not ../../x");
        assertThatThrownBy(() -> ProfileYaml.parse("shadow.yaml", """
                name: shadow
                vm:
                  iso: /etc/shadow
                ssh:
                  keyDelivery: IDENTITY_FILE
                  identityFile: /dev/null
                """))
                .isInstanceOf(ProfileException.class)
                .hasMessageContaining("shadow.yaml:3:1: vm.iso: must be a path inside the image directory, not /etc/shadow");
    }

    @Test
    void theNetworkIsReadInLowerCaseAndIsRestrictedByDefault() throws Exception {
        assertThat(ProfileYaml.parse("o.yaml", """
                name: o
                vm:
                  kernel: vmlinuz
                  network: outbound
                """).vm().network()).isEqualTo(VmSpec.Network.OUTBOUND);
        assertThat(ProfileYaml.read(SHIPPED.resolve("pass.yaml")).vm().network()).isEqualTo(VmSpec.Network.RESTRICTED);
    }

    @Test
    void aWrongTypeNamesTheField() {
        assertThatThrownBy(() -> ProfileYaml.parse("t.yaml", """
                name: t
                vm:
                  kernel: vmlinuz
                tests:
                  - run: true
                    expectExit: zero
                """))
                .isInstanceOf(ProfileException.class)
                .hasMessageContaining("t.yaml:6:")
                .hasMessageContaining("tests[0].expectExit");
    }

    @Test
    void aBadTestRegexIsRefused() {
        assertThatThrownBy(() -> ProfileYaml.parse("r.yaml", """
                name: r
                vm:
                  kernel: vmlinuz
                tests:
                  - run: "true"
                    expectOutput: "ok("
                """))
                .isInstanceOf(ProfileException.class)
                .hasMessageContaining("not a valid regex");
    }

    @Test
    void aTestDeclaresTapResultsAndAnUnknownFormatIsRefusedWithItsLine() throws Exception {
        Profile p = ProfileYaml.parse("tap.yaml", """
                name: tap
                vm:
                  kernel: vmlinuz
                tests:
                  - run: "prove -v"
                    results: tap
                """);
        assertThat(p.tests().get(0).results()).isEqualTo(org.vmtest.protocol.jobs.TestSpec.Results.TAP);

        assertThatThrownBy(() -> ProfileYaml.parse("x.yaml", """
                name: x
                vm:
                  kernel: vmlinuz
                tests:
                  - run: "true"
                    results: xunit
                """))
                .isInstanceOf(ProfileException.class)
                .hasMessageContaining("x.yaml:6:")
                .hasMessageContaining("tests[0].results");
    }

    @Test
    void aMissingNameIsReported() {
        assertThatThrownBy(() -> ProfileYaml.parse("n.yaml", """
                vm:
                  kernel: vmlinuz
                """))
                .isInstanceOf(ProfileException.class)
                .hasMessageContaining("name");
    }

    @Test
    void anUnreadableFileSaysSo(@org.junit.jupiter.api.io.TempDir Path dir) {
        assertThatThrownBy(() -> ProfileYaml.read(dir.resolve("absent.yaml")))
                .isInstanceOf(ProfileException.class)
                .hasMessageContaining("cannot read");
    }

    @Test
    void invalidYamlIsReportedWithItsLine() throws IOException {
        assertThatThrownBy(() -> ProfileYaml.parse("bad.yaml", "name: x\nvm: [unclosed\n"))
                .isInstanceOf(ProfileException.class)
                .hasMessageStartingWith("bad.yaml:");
    }

    @Test
    void consoleStepsAndConsoleKeyDeliveryAreRead() throws Exception {
        Profile p = ProfileYaml.parse("c.yaml", """
                name: c
                vm:
                  kernel: vmlinuz
                ssh:
                  keyDelivery: CONSOLE
                console:
                  login:
                    - expect: "login: $"
                      send: "root\\n"
                      timeout: PT30S
                    - expect: "# $"
                  startSsh: "systemctl start sshd"
                install:
                  - name: wait for the banner
                    console: {expect: "ready", send: "go\\n", timeout: 2m}
                  - run: "true"
                tests:
                  - name: banner
                    console: {expect: "Welcome"}
                """);

        assertThat(p.ssh().keyDelivery()).isEqualTo(SshSpec.KeyDelivery.CONSOLE);
        assertThat(p.console().login()).containsExactly(
                new ConsoleStep("login: $", "root\n", Duration.ofSeconds(30)),
                new ConsoleStep("# $", null, ConsoleStep.DEFAULT_TIMEOUT));
        assertThat(p.console().startSsh()).isEqualTo("systemctl start sshd");
        assertThat(p.install().get(0).console()).isEqualTo(new ConsoleStep("ready", "go\n", Duration.ofMinutes(2)));
        assertThat(p.install().get(1).run()).isEqualTo("true");
        assertThat(p.tests().get(0).console().expect()).isEqualTo("Welcome");
    }

    @Test
    void anUnknownKeyInAConsoleStepIsReportedWithItsField() {
        assertThatThrownBy(() -> ProfileYaml.parse("k.yaml", """
                name: k
                vm:
                  kernel: vmlinuz
                install:
                  - console:
                      expect: "x"
                      sned: "y"
                """))
                .isInstanceOf(ProfileException.class)
                .hasMessageContaining("k.yaml:7:")
                .hasMessageContaining("install[0].console.sned: unknown key 'sned'");
    }

    @Test
    void aBadConsoleRegexIsRefusedNamingTheField() {
        assertThatThrownBy(() -> ProfileYaml.parse("b.yaml", """
                name: b
                vm:
                  kernel: vmlinuz
                ssh:
                  keyDelivery: CONSOLE
                console:
                  login:
                    - expect: "login(: "
                """))
                .isInstanceOf(ProfileException.class)
                .hasMessageContaining("console.login[0]")
                .hasMessageContaining("console.expect is not a valid regex");
    }

    @Test
    void aStepWithBothRunAndConsoleOrNeitherIsRefused() {
        assertThatThrownBy(() -> ProfileYaml.parse("s.yaml", """
                name: s
                vm:
                  kernel: vmlinuz
                install:
                  - run: "true"
                    console: {expect: "x"}
                """))
                .isInstanceOf(ProfileException.class)
                .hasMessageContaining("install[0]: a step needs either run or console");
    }

    @Test
    void consoleKeyDeliveryWithoutLoginStepsIsRefused() {
        assertThatThrownBy(() -> ProfileYaml.parse("l.yaml", """
                name: l
                vm:
                  kernel: vmlinuz
                ssh:
                  keyDelivery: CONSOLE
                """))
                .isInstanceOf(ProfileException.class)
                .hasMessageContaining("ssh.keyDelivery CONSOLE needs console.login");
    }

    @Test
    void anIdentityFileOutsideTheKeyDirectoryIsRefusedNamingTheField() {
        assertThatThrownBy(() -> ProfileYaml.parse("i.yaml", """
                name: i
                vm:
                  kernel: vmlinuz
                ssh:
                  keyDelivery: IDENTITY_FILE
                  identityFile: /root/.ssh/id_ed25519
                """))
                .isInstanceOf(ProfileException.class)
                .hasMessage("i.yaml:6:1: ssh.identityFile: must be a path inside the worker's key directory, not"
                        + " /root/.ssh/id_ed25519");
    }
}
