package org.vmtest.worker.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.vmtest.protocol.jobs.SshSpec;
import org.vmtest.protocol.jobs.VmSpec;

class DomainXmlTest {
    private static DomainSpec direct(String type) {
        return new DomainSpec("vmtest-w1-job_1-a1", type, 256, 1, Path.of("/img/vmlinuz"), Path.of("/img/initrd.img"),
                "console=ttyS0 vmtest.scenario=pass vmtest.ssh_key=QUJD", null, Path.of("/work/ov.qcow2"),
                VmSpec.Firmware.BIOS, 40022, 22, null);
    }

    private static DomainSpec withNetwork(VmSpec.Network network) {
        DomainSpec d = direct("qemu");
        return new DomainSpec(d.name(), d.type(), d.memoryMiB(), d.vcpus(), d.kernel(), d.initrd(), d.cmdline(), d.iso(),
                d.disk(), d.firmware(), d.sshPort(), d.guestSshPort(), network);
    }

    @Test
    void directBootDomainHasKernelOverlayConsoleAndSshForward() {
        String xml = DomainXml.of(direct("qemu"));
        assertThat(xml).contains("<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>")
                .contains("<name>vmtest-w1-job_1-a1</name>")
                .contains("<kernel>/img/vmlinuz</kernel>", "<initrd>/img/initrd.img</initrd>")
                .contains("<cmdline>console=ttyS0 vmtest.scenario=pass vmtest.ssh_key=QUJD</cmdline>")
                .contains("<acpi/>", "<on_reboot>restart</on_reboot>", "<memballoon model='none'/>")
                .contains("<source file='/work/ov.qcow2'/>", "<target dev='vda' bus='virtio'/>")
                .contains("<serial type='pty'>", "<console type='pty'>")
                .contains("<qemu:arg value='user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:40022-:22'/>")
                .contains("<qemu:arg value='virtio-net-pci,netdev=n0,bus=pci.0,addr=0x9'/>");
    }

    @Test
    void theGuestNetworkIsRestrictedUnlessTheProfileAsksForOutbound() {
        assertThat(DomainXml.of(withNetwork(VmSpec.Network.RESTRICTED)))
                .contains("<qemu:arg value='user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:40022-:22'/>");
        assertThat(DomainXml.of(withNetwork(VmSpec.Network.OUTBOUND)))
                .contains("<qemu:arg value='user,id=n0,hostfwd=tcp:127.0.0.1:40022-:22'/>")
                .doesNotContain("restrict");
    }

    @Test
    void kvmDomainsUseTheKvmType() {
        assertThat(DomainXml.of(direct("kvm"))).startsWith("<domain type='kvm'");
    }

    @Test
    void isoDomainsBootFromCdromThenDisk() {
        DomainSpec iso = new DomainSpec("d", "qemu", 1024, 2, null, null, null, Path.of("/img/nixos.iso"),
                Path.of("/w/o.qcow2"), VmSpec.Firmware.UEFI, 40000, 22, null);
        assertThat(DomainXml.of(iso)).contains("<os firmware='efi'>", "<boot dev='cdrom'/>", "device='cdrom'",
                "<source file='/img/nixos.iso'/>").doesNotContain("<kernel>");
    }

    @Test
    void specialCharactersAreEscaped() {
        DomainSpec d = new DomainSpec("d", "qemu", 256, 1, Path.of("/img/a&b'.img"), null, "x<y", null, null,
                VmSpec.Firmware.BIOS, 0, 22, null);
        assertThat(DomainXml.of(d)).contains("/img/a&amp;b&apos;.img", "x&lt;y").doesNotContain("qemu:commandline>\n    <");
    }

    @Test
    void aDomainNeedsExactlyOneBootSource() {
        assertThatThrownBy(() -> new DomainSpec("d", "qemu", 256, 1, null, null, null, null, null, null, 0, 22, null))
                .hasMessageContaining("kernel or iso");
    }

    @Test
    void theSshKeyIsAppendedToTheCommandLineAsBase64OfOneOpenSshLine() {
        String cmdline = VmLauncher.cmdline("console=ttyS0", SshSpec.DEFAULT, "ecdsa-sha2-nistp256 AAAA job");
        assertThat(cmdline).startsWith("console=ttyS0 vmtest.ssh_key=");
        String b64 = cmdline.substring(cmdline.indexOf('=', cmdline.indexOf("ssh_key")) + 1);
        assertThat(new String(java.util.Base64.getDecoder().decode(b64))).isEqualTo("ecdsa-sha2-nistp256 AAAA job\n");
    }

    @Test
    void libvirtVersionNumbersAreShownAsDottedVersions() {
        assertThat(Hypervisor.version(9_000_000)).isEqualTo("9.0.0");
        assertThat(Hypervisor.version(7_002_022)).isEqualTo("7.2.22");
    }
}
