package org.vmtest.worker.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.protocol.Accelerator;
import org.vmtest.protocol.jobs.ArtifactSpec;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.protocol.jobs.SshSpec;
import org.vmtest.protocol.jobs.VmSpec;

/** The worker's own check of a job's image paths, on the real path: what the coordinator checked cannot be trusted. */
class VmLauncherImageTest {
    @TempDir
    Path tmp;

    private Path images;
    private Path outside;
    private VmLauncher launcher;

    @BeforeEach
    void imageDirectory() throws Exception {
        images = Files.createDirectories(tmp.resolve("images"));
        Files.writeString(images.resolve("vmlinuz"), "kernel");
        Files.createDirectories(images.resolve("debian"));
        Files.writeString(images.resolve("debian/base.qcow2"), "disk");
        outside = Files.writeString(tmp.resolve("secret"), "not for a guest");
        Files.createSymbolicLink(images.resolve("escape.qcow2"), outside);
        Files.createSymbolicLink(images.resolve("current.qcow2"), Path.of("debian/base.qcow2"));
        launcher = new VmLauncher(null, "w1", images, tmp.resolve("work"));
    }

    @Test
    void anImageInsideTheDirectoryResolvesToItsRealPath() throws Exception {
        assertThat(launcher.image("vmlinuz", "kernel")).isEqualTo(images.toRealPath().resolve("vmlinuz"));
        assertThat(launcher.image("current.qcow2", "disk")).as("a symlink that stays inside is fine")
                .isEqualTo(images.toRealPath().resolve("debian/base.qcow2"));
    }

    @Test
    void anAbsolutePathIsRefusedNamingTheField() {
        assertThatThrownBy(() -> launcher.image("/etc/shadow", "iso"))
                .isInstanceOf(VmStartException.class)
                .hasMessage("vm.iso: must be a path inside the image directory, not /etc/shadow");
    }

    @Test
    void aParentStepIsRefusedEvenWhenItComesBackIn() {
        assertThatThrownBy(() -> launcher.image("../images/vmlinuz", "kernel"))
                .isInstanceOf(VmStartException.class)
                .hasMessage("vm.kernel: must be a path inside the image directory, not ../images/vmlinuz");
    }

    @Test
    void aSymlinkOutOfTheDirectoryIsRefused() {
        assertThatThrownBy(() -> launcher.image("escape.qcow2", "disk"))
                .isInstanceOf(VmStartException.class)
                .hasMessageStartingWith("vm.disk: must be a path inside the image directory, not escape.qcow2")
                .hasMessageContaining(outside.toString());
    }

    @Test
    void anArtifactTheJobDoesNotCarryIsRefusedNamingTheFieldBeforeAnythingStarts() {
        Profile profile = new Profile("p", "", new VmSpec(256, 1, "vmlinuz", "initrd.img", "console=ttyS0", null,
                "artifact:disk", null, null, null), new SshSpec(null, 0, SshSpec.KeyDelivery.NONE, null, null),
                List.of(), false, List.of(), Map.of(), Map.of(), 1, List.of());
        ArtifactSpec other = new ArtifactSpec("https://ci.example/kernel", "a".repeat(64), null, Map.of(), null);
        assertThatThrownBy(() -> launcher.launch(profile, Map.of("kernel", other), line -> { }, "d", Accelerator.TCG,
                null, null))
                .isInstanceOfSatisfying(VmStartException.class, e -> assertThat(e.mayRetryElsewhere()).isFalse())
                .hasMessage("vm.disk names artifact:disk, which is not one of the job's artifacts [kernel]");
    }

    @Test
    void aLauncherWithoutACacheRefusesArtifacts() {
        Profile profile = new Profile("p", "", new VmSpec(256, 1, "artifact:kernel", null, "console=ttyS0", null,
                null, null, null, null), new SshSpec(null, 0, SshSpec.KeyDelivery.NONE, null, null),
                List.of(), false, List.of(), Map.of(), Map.of(), 1, List.of());
        ArtifactSpec kernel = new ArtifactSpec("https://ci.example/kernel", "a".repeat(64), null, Map.of(), null);
        assertThatThrownBy(() -> launcher.launch(profile, Map.of("kernel", kernel), line -> { }, "d", Accelerator.TCG,
                null, null))
                .isInstanceOf(VmStartException.class)
                .hasMessage("this worker has no artifact cache");
    }
}
