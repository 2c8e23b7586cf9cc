package org.vmtest.protocol.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.vmtest.protocol.Accelerator;

class ImagePathTest {
    @Test
    void relativePathsInsideTheDirectoryPass() {
        assertThat(ImagePath.staysInside("vmlinuz")).isTrue();
        assertThat(ImagePath.staysInside("debian/12/base.qcow2")).isTrue();
        assertThat(ImagePath.staysInside("./initrd.img")).isTrue();
        assertThat(ImagePath.staysInside("a..b/..c")).as("dots inside a name are no parent step").isTrue();
    }

    @Test
    void absolutePathsParentStepsAndEmptyPathsAreRefused() {
        assertThat(ImagePath.staysInside("/etc/shadow")).isFalse();
        assertThat(ImagePath.staysInside("../../x")).isFalse();
        assertThat(ImagePath.staysInside("images/../../x")).isFalse();
        assertThat(ImagePath.staysInside("images/..")).isFalse();
        assertThat(ImagePath.staysInside("")).isFalse();
        assertThat(ImagePath.staysInside("  ")).isFalse();
        assertThat(ImagePath.staysInside("a\0b")).isFalse();
    }

    @Test
    void theFirstViolationNamesItsField() {
        VmSpec vm = new VmSpec(0, 0, null, null, null, "/etc/shadow", "../../x", null, Accelerator.AUTO, null);

        assertThat(ImagePath.firstViolation(vm)).hasValueSatisfying(v -> {
            assertThat(v.field()).isEqualTo("iso");
            assertThat(v.message()).isEqualTo("vm.iso: must be a path inside the image directory, not /etc/shadow");
        });
        assertThat(ImagePath.firstViolation(new VmSpec(0, 0, "vmlinuz", "initrd.img", null, null, "base.qcow2", null,
                null, null))).isEmpty();
    }

    @Test
    void theNetworkIsRestrictedUnlessTheProfileOptsOut() {
        assertThat(new VmSpec(0, 0, "vmlinuz", null, null, null, null, null, null, null).network())
                .isEqualTo(VmSpec.Network.RESTRICTED);
    }
}
