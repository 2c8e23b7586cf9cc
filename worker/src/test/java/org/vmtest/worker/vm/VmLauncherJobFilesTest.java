package org.vmtest.worker.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.protocol.profiles.ProfileYaml;

/**
 * A job's files (blank disk, cloud-init seed, UEFI variables store) are made with the real qemu-img, xorriso and
 * OVMF of this host, and none is left behind when the VM cannot start.
 */
class VmLauncherJobFilesTest {
    @TempDir
    Path tmp;

    @Test
    void aLaunchThatFailsAfterMakingTheJobsFilesLeavesNoneBehind() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("images"));
        Path work = tmp.resolve("work");
        VmLauncher launcher = new VmLauncher(null, "w1", images, work);
        Profile installer = ProfileYaml.parse("installer.yaml", """
                name: installer
                vm:
                  iso: missing-installer.iso
                  diskSizeGiB: 2
                  firmware: uefi
                ssh:
                  keyDelivery: CLOUD_INIT
                """);
        // the blank disk, the seed and the variables store come first; the missing ISO fails the launch after them
        assertThatThrownBy(() -> launcher.launch(installer, "vmtest-w1-job-a1", org.vmtest.protocol.Accelerator.TCG,
                "ecdsa-sha2-nistp256 AAAA job", null))
                .isInstanceOf(VmStartException.class).hasMessageContaining("vm.iso").hasMessageContaining("does not exist");
        try (Stream<Path> left = Files.list(work.resolve("overlays"))) {
            assertThat(left).as("job files left in the overlay directory").isEmpty();
        }
    }

    @Test
    void theUefiVariablesStoreIsTheJobsOwnCopyOfTheTemplate() throws Exception {
        Path vars = tmp.resolve("job-VARS.fd");
        DomainSpec.UefiVars uefi = UefiFirmware.forJob(vars);
        assertThat(uefi.vars()).isEqualTo(vars);
        assertThat(Files.mismatch(vars, UefiFirmware.VARS_TEMPLATE)).isEqualTo(-1L);
        assertThat(uefi.code()).isEqualTo(UefiFirmware.CODE);
        assertThatThrownBy(() -> UefiFirmware.forJob(tmp.resolve("nope.fd"), UefiFirmware.VARS_TEMPLATE, vars))
                .hasMessageContaining("ovmf");
    }

    @Test
    void aBlankDiskHasTheSizeTheProfileAsks() throws Exception {
        Path disk = tmp.resolve("blank.qcow2");
        Overlays.createBlank(disk, 3);
        Process p = new ProcessBuilder("qemu-img", "info", "--output=json", disk.toString()).start();
        String info = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        assertThat(info).contains("\"virtual-size\": " + 3L * 1024 * 1024 * 1024).contains("\"format\": \"qcow2\"");
    }
}
