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
        Files.writeString(images.resolve("installer.iso"), "not really an ISO");
        Path work = tmp.resolve("work");
        // libvirt's own test driver (in the client library, no daemon) refuses to create a domain paused (libvirt
        // 9), and it holds a domain named "test" already: the launch fails in libvirt, after the job's files were made
        try (Hypervisor libvirtTestDriver = Hypervisor.open("test:///default")) {
            VmLauncher launcher = new VmLauncher(libvirtTestDriver, "w1", images, work);
            assertThatThrownBy(() -> launcher.launch(installer("installer.iso"), "test",
                    org.vmtest.protocol.Accelerator.TCG, "ecdsa-sha2-nistp256 AAAA job", null))
                    .isInstanceOf(VmStartException.class).hasMessageContaining("libvirt cannot start domain test");
        }
        try (Stream<Path> left = Files.list(work.resolve("overlays"))) {
            assertThat(left).as("job files left in the overlay directory").isEmpty();
        }
    }

    @Test
    void aMissingImageFailsTheLaunchBeforeAnyJobFileIsMade() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("images"));
        Path work = tmp.resolve("work");
        VmLauncher launcher = new VmLauncher(null, "w1", images, work);
        assertThatThrownBy(() -> launcher.launch(installer("missing-installer.iso"), "vmtest-w1-job-a1",
                org.vmtest.protocol.Accelerator.TCG, "ecdsa-sha2-nistp256 AAAA job", null))
                .isInstanceOf(VmStartException.class).hasMessageContaining("vm.iso").hasMessageContaining("does not exist");
        assertThat(work.resolve("overlays")).as("no job file was made").doesNotExist();
    }

    /** A profile with every kind of job file: a blank disk, a cloud-init seed, a UEFI variables store. */
    private static Profile installer(String iso) throws Exception {
        return ProfileYaml.parse("installer.yaml", """
                name: installer
                vm:
                  iso: %s
                  diskSizeGiB: 2
                  firmware: uefi
                ssh:
                  keyDelivery: CLOUD_INIT
                """.formatted(iso));
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
