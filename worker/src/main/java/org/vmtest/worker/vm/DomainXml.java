package org.vmtest.worker.vm;

import java.nio.file.Path;
import org.vmtest.protocol.jobs.VmSpec;

/**
 * Writes the libvirt XML of a job's transient domain. The NIC is QEMU user networking passed through
 * {@code qemu:commandline}: libvirt 9.0's {@code <interface type='user'>} cannot forward a port without passt,
 * and user networking needs no bridge or DHCP server on the host. Unless the profile asks for outbound network,
 * QEMU's {@code restrict=on} cuts the guest off from everything but its forwarded SSH port. The memory balloon is off so that it does
 * not take the PCI slot the NIC is given.
 */
public final class DomainXml {
    public static final String QEMU_NS = "http://libvirt.org/schemas/domain/qemu/1.0";

    private DomainXml() {
    }

    public static String of(DomainSpec d) {
        StringBuilder x = new StringBuilder(2048);
        x.append("<domain type='").append(d.type()).append("' xmlns:qemu='").append(QEMU_NS).append("'>\n");
        x.append("  <name>").append(esc(d.name())).append("</name>\n");
        x.append("  <memory unit='MiB'>").append(d.memoryMiB()).append("</memory>\n");
        x.append("  <vcpu>").append(d.vcpus()).append("</vcpu>\n");
        x.append(d.firmware() == VmSpec.Firmware.UEFI ? "  <os firmware='efi'>\n" : "  <os>\n");
        x.append("    <type arch='x86_64' machine='pc'>hvm</type>\n");
        if (d.kernel() != null) {
            x.append("    <kernel>").append(esc(d.kernel())).append("</kernel>\n");
            if (d.initrd() != null) x.append("    <initrd>").append(esc(d.initrd())).append("</initrd>\n");
            x.append("    <cmdline>").append(esc(d.cmdline())).append("</cmdline>\n");
        } else {
            x.append("    <boot dev='cdrom'/>\n    <boot dev='hd'/>\n");
        }
        x.append("  </os>\n");
        x.append("  <features>\n    <acpi/>\n  </features>\n");
        x.append("  <clock offset='utc'/>\n");
        x.append("  <on_poweroff>destroy</on_poweroff>\n");
        x.append("  <on_reboot>restart</on_reboot>\n");
        x.append("  <on_crash>destroy</on_crash>\n");
        x.append("  <devices>\n");
        if (d.disk() != null) {
            x.append("    <disk type='file' device='disk'>\n");
            x.append("      <driver name='qemu' type='qcow2'/>\n");
            x.append("      <source file='").append(esc(d.disk())).append("'/>\n");
            x.append("      <target dev='vda' bus='virtio'/>\n");
            x.append("    </disk>\n");
        }
        if (d.iso() != null) {
            x.append("    <disk type='file' device='cdrom'>\n");
            x.append("      <driver name='qemu' type='raw'/>\n");
            x.append("      <source file='").append(esc(d.iso())).append("'/>\n");
            x.append("      <target dev='hdc' bus='ide'/>\n");
            x.append("      <readonly/>\n");
            x.append("    </disk>\n");
        }
        x.append("    <serial type='pty'>\n      <target port='0'/>\n    </serial>\n");
        x.append("    <console type='pty'>\n      <target type='serial' port='0'/>\n    </console>\n");
        // Without an entropy source the guest waits ~8 s at every boot before it can make its SSH host key.
        x.append("    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>\n");
        x.append("    <memballoon model='none'/>\n");
        x.append("  </devices>\n");
        if (d.sshPort() > 0) {
            x.append("  <qemu:commandline>\n");
            arg(x, "-netdev");
            // restrict=on: the guest reaches nothing, the host's loopback (10.0.2.2) included; the forward still works
            arg(x, "user,id=n0" + (d.network() == VmSpec.Network.RESTRICTED ? ",restrict=on" : "")
                    + ",hostfwd=tcp:127.0.0.1:" + d.sshPort() + "-:" + d.guestSshPort());
            arg(x, "-device");
            arg(x, "virtio-net-pci,netdev=n0,bus=pci.0,addr=0x9");
            x.append("  </qemu:commandline>\n");
        }
        x.append("</domain>\n");
        return x.toString();
    }

    private static void arg(StringBuilder x, String value) {
        x.append("    <qemu:arg value='").append(esc(value)).append("'/>\n");
    }

    private static String esc(Path p) {
        return esc(p.toString());
    }

    static String esc(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '\'' -> out.append("&apos;");
                case '"' -> out.append("&quot;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
