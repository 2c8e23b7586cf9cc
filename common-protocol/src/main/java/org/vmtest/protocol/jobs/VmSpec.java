package org.vmtest.protocol.jobs;

import org.vmtest.protocol.Accelerator;

/**
 * The virtual machine a profile needs. Image paths are relative to the worker's image directory
 * unless absolute, so one profile runs on every worker host.
 *
 * @param memoryMiB  guest memory
 * @param vcpus      virtual CPUs
 * @param kernel     kernel for direct boot (with {@code initrd} and {@code cmdline}); null when booting an ISO
 * @param initrd     initial ramdisk for direct boot
 * @param cmdline    kernel command line for direct boot; the worker appends what it must pass (SSH key)
 * @param iso        installer ISO attached as a CD-ROM; null for direct boot
 * @param disk       base disk image; each job runs on its own qcow2 overlay of it
 * @param firmware   BIOS or UEFI
 * @param accelerator KVM, TCG or AUTO (the worker's probe decides)
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
        Accelerator accelerator) {

    public enum Firmware { BIOS, UEFI }

    public VmSpec {
        if (memoryMiB == 0) memoryMiB = 256;
        if (vcpus == 0) vcpus = 1;
        if (memoryMiB < 16) throw new IllegalArgumentException("vm.memoryMiB must be at least 16, got " + memoryMiB);
        if (vcpus < 1) throw new IllegalArgumentException("vm.vcpus must be at least 1, got " + vcpus);
        if (firmware == null) firmware = Firmware.BIOS;
        if (accelerator == null) accelerator = Accelerator.AUTO;
        if ((kernel == null) == (iso == null)) {
            throw new IllegalArgumentException("vm needs exactly one of kernel (direct boot) or iso");
        }
        if (kernel == null && initrd != null) throw new IllegalArgumentException("vm.initrd needs vm.kernel");
        if (cmdline == null) cmdline = "";
    }

    public boolean directBoot() {
        return kernel != null;
    }
}
