package org.vmtest.worker.vm;

import java.nio.file.Path;
import java.util.Objects;
import org.vmtest.protocol.jobs.VmSpec;

/**
 * Everything a libvirt domain of a job needs, with every path resolved: the input of {@link DomainXml}.
 *
 * @param type    libvirt domain type: {@code kvm} or {@code qemu} (TCG)
 * @param cmdline the kernel command line including what the worker appends (the SSH key)
 * @param sshPort the port on 127.0.0.1 that QEMU forwards to the guest's SSH port, 0 for none
 * @param network whether the guest may reach anything beyond that forwarded port
 */
public record DomainSpec(String name, String type, int memoryMiB, int vcpus, Path kernel, Path initrd, String cmdline,
                         Path iso, Path disk, VmSpec.Firmware firmware, int sshPort, int guestSshPort,
                         VmSpec.Network network) {
    public DomainSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (!type.equals("kvm") && !type.equals("qemu")) throw new IllegalArgumentException("domain type kvm or qemu, got " + type);
        if ((kernel == null) == (iso == null)) throw new IllegalArgumentException("exactly one of kernel or iso");
        if (firmware == null) firmware = VmSpec.Firmware.BIOS;
        if (cmdline == null) cmdline = "";
        if (guestSshPort == 0) guestSshPort = 22;
        if (network == null) network = VmSpec.Network.RESTRICTED;
    }
}
