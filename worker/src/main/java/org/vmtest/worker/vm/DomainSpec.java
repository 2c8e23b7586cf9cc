package org.vmtest.worker.vm;

import java.nio.file.Path;
import java.util.Objects;
import org.vmtest.protocol.jobs.VmSpec;

/**
 * Everything a libvirt domain of a job needs, with every path resolved: the input of {@link DomainXml}.
 *
 * @param type    libvirt domain type: {@code kvm} or {@code qemu} (TCG)
 * @param cmdline the kernel command line including what the worker appends (the SSH key)
 * @param iso     an installer ISO, attached as the first CD-ROM
 * @param disk    the job's disk (an overlay or a blank disk); without kernel and iso the firmware boots it
 * @param sshPort the port on 127.0.0.1 that QEMU forwards to the guest's SSH port, 0 for none
 * @param network whether the guest may reach anything beyond that forwarded port
 * @param seed    the job's cloud-init NoCloud seed, attached as a second CD-ROM; null for none
 * @param uefi    with UEFI: the firmware code and the job's own copy of the variables store; null for BIOS
 */
public record DomainSpec(String name, String type, int memoryMiB, int vcpus, Path kernel, Path initrd, String cmdline,
                         Path iso, Path disk, VmSpec.Firmware firmware, int sshPort, int guestSshPort,
                         VmSpec.Network network, Path seed, UefiVars uefi) {

    /** OVMF's code (read-only) and a variables store the guest may write, one per job. */
    public record UefiVars(Path code, Path vars) {
        public UefiVars {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(vars, "vars");
        }
    }

    public DomainSpec(String name, String type, int memoryMiB, int vcpus, Path kernel, Path initrd, String cmdline,
                      Path iso, Path disk, VmSpec.Firmware firmware, int sshPort, int guestSshPort, VmSpec.Network network) {
        this(name, type, memoryMiB, vcpus, kernel, initrd, cmdline, iso, disk, firmware, sshPort, guestSshPort, network,
                null, null);
    }

    public DomainSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (!type.equals("kvm") && !type.equals("qemu")) throw new IllegalArgumentException("domain type kvm or qemu, got " + type);
        if (kernel != null && iso != null) throw new IllegalArgumentException("a kernel or an iso, not both");
        if (kernel == null && iso == null && disk == null) throw new IllegalArgumentException("nothing to boot: no kernel, iso or disk");
        if (firmware == null) firmware = VmSpec.Firmware.BIOS;
        if (cmdline == null) cmdline = "";
        if (guestSshPort == 0) guestSshPort = 22;
        if (network == null) network = VmSpec.Network.RESTRICTED;
    }

    /** Whether the firmware boots from the disk and CD-ROMs (not libvirt's direct kernel boot). */
    public boolean firmwareBoot() {
        return kernel == null;
    }
}
