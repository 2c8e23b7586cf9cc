package org.vmtest.protocol.jobs;

import java.util.LinkedHashMap;
import java.util.Map;
import org.vmtest.protocol.Accelerator;

/**
 * The virtual machine a profile needs. Image paths are relative paths inside the worker's image directory, so one
 * profile runs on every worker host and cannot name any other file of it: {@link ImagePath} is the rule, checked
 * when a profile is read and again by the worker on the real path. The wire accepts any path, so that a job with a
 * bad one still reaches a worker and ends as ERROR with the reason.
 *
 * @param memoryMiB  guest memory
 * @param vcpus      virtual CPUs
 * @param kernel     kernel for direct boot (with {@code initrd} and {@code cmdline}); null when the firmware boots
 *                   the disk or the ISO
 * @param initrd     initial ramdisk for direct boot
 * @param cmdline    kernel command line for direct boot; the worker appends what it must pass (SSH key)
 * @param iso        installer ISO attached as a CD-ROM; the firmware tries the disk first, so a blank disk falls
 *                   through to the installer and an installed one boots through its own bootloader
 * @param disk       base disk image; each job runs on its own qcow2 overlay of it. Without kernel and iso the
 *                   firmware (BIOS or UEFI) boots it through its own bootloader
 * @param firmware   BIOS or UEFI
 * @param accelerator KVM, TCG or AUTO (the worker's probe decides)
 * @param network    what the guest may reach besides its forwarded SSH port: nothing (RESTRICTED, the default) or
 *                   the host and beyond (OUTBOUND); see docs/security.md
 * @param diskSizeGiB with no {@code disk}: the size of a blank disk created for each job (an installer's target);
 *                   0 for none
 */
public record VmSpec(
        int memoryMiB,
        int vcpus,
        String kernel,
        String initrd,
        String cmdline,
        String iso,
        String disk,
        Firmware firmware,
        Accelerator accelerator,
        Network network,
        int diskSizeGiB) {

    public enum Firmware { BIOS, UEFI }

    /** The guest's network beyond its forwarded SSH port. */
    public enum Network {
        /** QEMU user networking with {@code restrict=on}: the guest reaches nothing, not even the host. */
        RESTRICTED,
        /** Plain user networking: the host's loopback services at 10.0.2.2, DNS at 10.0.2.3, and what the host reaches. */
        OUTBOUND
    }

    public VmSpec(int memoryMiB, int vcpus, String kernel, String initrd, String cmdline, String iso, String disk,
                  Firmware firmware, Accelerator accelerator, Network network) {
        this(memoryMiB, vcpus, kernel, initrd, cmdline, iso, disk, firmware, accelerator, network, 0);
    }

    public VmSpec {
        if (memoryMiB == 0) memoryMiB = 256;
        if (vcpus == 0) vcpus = 1;
        if (memoryMiB < 16) throw new IllegalArgumentException("vm.memoryMiB must be at least 16, got " + memoryMiB);
        if (vcpus < 1) throw new IllegalArgumentException("vm.vcpus must be at least 1, got " + vcpus);
        if (firmware == null) firmware = Firmware.BIOS;
        if (accelerator == null) accelerator = Accelerator.AUTO;
        if (network == null) network = Network.RESTRICTED;
        if (kernel != null && iso != null) {
            throw new IllegalArgumentException("vm needs at most one of kernel (direct boot) or iso (installer), not both");
        }
        if (diskSizeGiB < 0) throw new IllegalArgumentException("vm.diskSizeGiB must not be negative, got " + diskSizeGiB);
        if (diskSizeGiB > 0 && disk != null) {
            throw new IllegalArgumentException("vm.diskSizeGiB makes a blank disk: give either vm.disk or vm.diskSizeGiB");
        }
        if (kernel == null && iso == null && disk == null) {
            throw new IllegalArgumentException("vm needs something to boot: kernel (direct boot), iso (installer) or disk");
        }
        if (kernel == null && initrd != null) throw new IllegalArgumentException("vm.initrd needs vm.kernel");
        if (cmdline == null) cmdline = "";
    }

    public boolean directBoot() {
        return kernel != null;
    }

    /** The image paths this VM names, by field name ({@code kernel}, {@code initrd}, {@code iso}, {@code disk}). */
    public Map<String, String> imagePaths() {
        Map<String, String> paths = new LinkedHashMap<>();
        if (kernel != null) paths.put("kernel", kernel);
        if (initrd != null) paths.put("initrd", initrd);
        if (iso != null) paths.put("iso", iso);
        if (disk != null) paths.put("disk", disk);
        return paths;
    }
}
