package org.vmtest.worker.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.vmtest.protocol.jobs.SshSpec;
import org.vmtest.protocol.jobs.VmSpec;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/** The domain XML, read back with a namespace-aware parser and XPath: what libvirt will see. */
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

    private static Document parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
    }

    private static String at(Document doc, String xpath) throws Exception {
        XPath x = XPathFactory.newInstance().newXPath();
        x.setNamespaceContext(new javax.xml.namespace.NamespaceContext() {
            public String getNamespaceURI(String prefix) {
                return "qemu".equals(prefix) ? DomainXml.QEMU_NS : null;
            }

            public String getPrefix(String uri) {
                return null;
            }

            public java.util.Iterator<String> getPrefixes(String uri) {
                return null;
            }
        });
        return x.evaluate(xpath, doc);
    }

    private static int count(Document doc, String xpath) throws Exception {
        return ((NodeList) XPathFactory.newInstance().newXPath().evaluate(xpath, doc, XPathConstants.NODESET)).getLength();
    }

    @Test
    void directBootDomainHasKernelOverlayConsoleAndSshForward() throws Exception {
        Document doc = parse(DomainXml.of(direct("qemu")));
        assertThat(doc.getDocumentElement().getTagName()).isEqualTo("domain");
        assertThat(at(doc, "/domain/@type")).isEqualTo("qemu");
        assertThat(at(doc, "/domain/name")).isEqualTo("vmtest-w1-job_1-a1");
        assertThat(at(doc, "/domain/memory")).isEqualTo("256");
        assertThat(at(doc, "/domain/memory/@unit")).isEqualTo("MiB");
        assertThat(at(doc, "/domain/os/type/@machine")).isEqualTo("pc");
        assertThat(at(doc, "/domain/os/kernel")).isEqualTo("/img/vmlinuz");
        assertThat(at(doc, "/domain/os/initrd")).isEqualTo("/img/initrd.img");
        assertThat(at(doc, "/domain/os/cmdline")).isEqualTo("console=ttyS0 vmtest.scenario=pass vmtest.ssh_key=QUJD");
        assertThat(count(doc, "/domain/os/boot")).as("direct boot names no boot device").isZero();
        assertThat(count(doc, "/domain/os/bios")).isZero();
        assertThat(count(doc, "/domain/features/acpi")).isEqualTo(1);
        assertThat(at(doc, "/domain/on_reboot")).isEqualTo("restart");
        assertThat(at(doc, "/domain/devices/memballoon/@model")).isEqualTo("none");
        assertThat(at(doc, "/domain/devices/disk[@device='disk']/source/@file")).isEqualTo("/work/ov.qcow2");
        assertThat(at(doc, "/domain/devices/disk[@device='disk']/target/@dev")).isEqualTo("vda");
        assertThat(at(doc, "/domain/devices/disk[@device='disk']/target/@bus")).isEqualTo("virtio");
        assertThat(at(doc, "/domain/devices/serial/@type")).isEqualTo("pty");
        assertThat(at(doc, "/domain/devices/console/target/@type")).isEqualTo("serial");
        assertThat(at(doc, "/domain/qemu:commandline/qemu:arg[2]/@value"))
                .isEqualTo("user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:40022-:22");
        assertThat(at(doc, "/domain/qemu:commandline/qemu:arg[4]/@value"))
                .isEqualTo("virtio-net-pci,netdev=n0,bus=pci.0,addr=0x9");
    }

    @Test
    void theGuestNetworkIsRestrictedUnlessTheProfileAsksForOutbound() throws Exception {
        assertThat(at(parse(DomainXml.of(withNetwork(VmSpec.Network.RESTRICTED))), "//qemu:arg[2]/@value"))
                .isEqualTo("user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:40022-:22");
        assertThat(at(parse(DomainXml.of(withNetwork(VmSpec.Network.OUTBOUND))), "//qemu:arg[2]/@value"))
                .isEqualTo("user,id=n0,hostfwd=tcp:127.0.0.1:40022-:22");
    }

    @Test
    void kvmDomainsUseTheKvmType() throws Exception {
        assertThat(at(parse(DomainXml.of(direct("kvm"))), "/domain/@type")).isEqualTo("kvm");
    }

    @Test
    void anInstallerBootsTheDiskFirstSoThatABlankDiskFallsThroughToTheCdrom() throws Exception {
        DomainSpec iso = new DomainSpec("d", "qemu", 1024, 2, null, null, null, Path.of("/img/installer.iso"),
                Path.of("/w/d.qcow2"), VmSpec.Firmware.BIOS, 40000, 22, null);
        Document doc = parse(DomainXml.of(iso));
        assertThat(at(doc, "/domain/os/boot[1]/@dev")).isEqualTo("hd");
        assertThat(at(doc, "/domain/os/boot[2]/@dev")).isEqualTo("cdrom");
        assertThat(at(doc, "/domain/devices/disk[@device='cdrom']/source/@file")).isEqualTo("/img/installer.iso");
        assertThat(count(doc, "/domain/devices/disk[@device='cdrom']/readonly")).isEqualTo(1);
        assertThat(count(doc, "/domain/os/kernel")).isZero();
        assertThat(count(doc, "/domain/os/loader")).isZero();
    }

    @Test
    void aDiskImageBootsThroughItsBootloaderWithUefiFromTheJobsOwnVariablesStore() throws Exception {
        DomainSpec d = new DomainSpec("d", "qemu", 1024, 1, null, null, null, null, Path.of("/w/d.qcow2"),
                VmSpec.Firmware.UEFI, 40000, 22, null, Path.of("/w/d-seed.iso"),
                new DomainSpec.UefiVars(Path.of("/usr/share/OVMF/OVMF_CODE_4M.fd"), Path.of("/w/d-VARS.fd")));
        Document doc = parse(DomainXml.of(d));
        assertThat(at(doc, "/domain/os/loader")).isEqualTo("/usr/share/OVMF/OVMF_CODE_4M.fd");
        assertThat(at(doc, "/domain/os/loader/@readonly")).isEqualTo("yes");
        assertThat(at(doc, "/domain/os/loader/@type")).isEqualTo("pflash");
        assertThat(at(doc, "/domain/os/nvram")).isEqualTo("/w/d-VARS.fd");
        assertThat(count(doc, "/domain/os/boot")).isEqualTo(1);
        assertThat(at(doc, "/domain/os/boot/@dev")).isEqualTo("hd");
        assertThat(at(doc, "/domain/devices/disk[@device='cdrom']/source/@file")).as("the cloud-init seed").isEqualTo("/w/d-seed.iso");
        assertThat(at(doc, "/domain/devices/disk[@device='cdrom']/target/@dev")).isEqualTo("hdd");
    }

    @Test
    void aBiosDiskBootHasNeitherLoaderNorNvram() throws Exception {
        DomainSpec d = new DomainSpec("d", "qemu", 1024, 1, null, null, null, null, Path.of("/w/d.qcow2"),
                VmSpec.Firmware.BIOS, 40000, 22, null);
        Document doc = parse(DomainXml.of(d));
        assertThat(count(doc, "/domain/os/loader") + count(doc, "/domain/os/nvram")).isZero();
        assertThat(at(doc, "/domain/os/@firmware")).isEmpty();
        assertThat(at(doc, "/domain/os/boot/@dev")).isEqualTo("hd");
        assertThat(at(doc, "/domain/os/bios/@useserial")).as("SeaBIOS writes to the serial console").isEqualTo("yes");
    }

    @Test
    void specialCharactersArriveUnchanged() throws Exception {
        DomainSpec d = new DomainSpec("d", "qemu", 256, 1, Path.of("/img/a&b'\".img"), null, "x<y & z>\"'", null, null,
                VmSpec.Firmware.BIOS, 0, 22, null);
        String xml = DomainXml.of(d);
        Document doc = parse(xml);
        assertThat(at(doc, "/domain/os/kernel")).isEqualTo("/img/a&b'\".img");
        assertThat(at(doc, "/domain/os/cmdline")).isEqualTo("x<y & z>\"'");
        assertThat(xml).doesNotContain("qemu:commandline");
    }

    @Test
    void aDomainNeedsSomethingToBootAndNotBothAKernelAndAnIso() {
        assertThatThrownBy(() -> new DomainSpec("d", "qemu", 256, 1, null, null, null, null, null, null, 0, 22, null))
                .hasMessageContaining("nothing to boot");
        assertThatThrownBy(() -> new DomainSpec("d", "qemu", 256, 1, Path.of("/k"), null, null, Path.of("/i.iso"), null,
                null, 0, 22, null)).hasMessageContaining("not both");
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
