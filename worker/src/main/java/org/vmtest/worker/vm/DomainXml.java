package org.vmtest.worker.vm;

import java.io.StringWriter;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.vmtest.protocol.jobs.VmSpec;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Writes the libvirt XML of a job's transient domain, as a DOM tree (so every path and argument is escaped by the
 * XML library, never by hand). The NIC is QEMU user networking passed through
 * {@code qemu:commandline}: libvirt 9.0's {@code <interface type='user'>} cannot forward a port without passt,
 * and user networking needs no bridge or DHCP server on the host. Unless the profile asks for outbound network,
 * QEMU's {@code restrict=on} cuts the guest off from everything but its forwarded SSH port. The memory balloon is off so that it does
 * not take the PCI slot the NIC is given.
 *
 * <p>Boot order for firmware boot: the disk, then the CD-ROM. A blank disk falls through to an installer ISO; once
 * the installer has put a bootloader on the disk, the reboot boots that, and the installer is not run again.
 */
public final class DomainXml {
    public static final String QEMU_NS = "http://libvirt.org/schemas/domain/qemu/1.0";

    private DomainXml() {
    }

    public static String of(DomainSpec d) {
        Document doc = newDocument();
        Element domain = doc.createElement("domain");
        doc.appendChild(domain);
        domain.setAttribute("type", d.type());
        domain.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:qemu", QEMU_NS);
        text(domain, "name", d.name());
        text(domain, "memory", Integer.toString(d.memoryMiB())).setAttribute("unit", "MiB");
        text(domain, "vcpu", Integer.toString(d.vcpus()));
        os(domain, d);
        child(child(domain, "features"), "acpi");
        child(domain, "clock").setAttribute("offset", "utc");
        text(domain, "on_poweroff", "destroy");
        text(domain, "on_reboot", "restart");
        text(domain, "on_crash", "destroy");
        devices(domain, d);
        if (d.sshPort() > 0) {
            Element cmd = doc.createElementNS(QEMU_NS, "qemu:commandline");
            domain.appendChild(cmd);
            arg(cmd, "-netdev");
            // restrict=on: the guest reaches nothing, the host's loopback (10.0.2.2) included; the forward still works
            arg(cmd, "user,id=n0" + (d.network() == VmSpec.Network.RESTRICTED ? ",restrict=on" : "")
                    + ",hostfwd=tcp:127.0.0.1:" + d.sshPort() + "-:" + d.guestSshPort());
            arg(cmd, "-device");
            arg(cmd, "virtio-net-pci,netdev=n0,bus=pci.0,addr=0x9");
        }
        return serialise(doc);
    }

    private static void os(Element domain, DomainSpec d) {
        Element os = child(domain, "os");
        Element type = text(os, "type", "hvm");
        type.setAttribute("arch", "x86_64");
        type.setAttribute("machine", "pc");
        if (d.firmware() == VmSpec.Firmware.UEFI) {
            if (d.uefi() != null) {
                Element loader = text(os, "loader", d.uefi().code().toString());
                loader.setAttribute("readonly", "yes");
                loader.setAttribute("type", "pflash");
                text(os, "nvram", d.uefi().vars().toString());
            } else {
                os.setAttribute("firmware", "efi");
            }
        }
        if (d.kernel() != null) {
            text(os, "kernel", d.kernel().toString());
            if (d.initrd() != null) text(os, "initrd", d.initrd().toString());
            text(os, "cmdline", d.cmdline());
        } else {
            if (d.disk() != null) child(os, "boot").setAttribute("dev", "hd");
            if (d.iso() != null) child(os, "boot").setAttribute("dev", "cdrom");
            // SeaBIOS on the serial console (QEMU's graphics=off): its "No bootable device." is what tells an
            // installation that left no bootloader, and only the console reaches the analyzer
            if (d.firmware() == VmSpec.Firmware.BIOS) child(os, "bios").setAttribute("useserial", "yes");
        }
    }

    private static void devices(Element domain, DomainSpec d) {
        Element devices = child(domain, "devices");
        if (d.disk() != null) {
            Element disk = disk(devices, "disk", "qcow2", d.disk().toString());
            target(disk, "vda", "virtio");
        }
        if (d.iso() != null) {
            Element cd = disk(devices, "cdrom", "raw", d.iso().toString());
            target(cd, "hdc", "ide");
            child(cd, "readonly");
        }
        if (d.seed() != null) {
            Element cd = disk(devices, "cdrom", "raw", d.seed().toString());
            target(cd, "hdd", "ide");
            child(cd, "readonly");
        }
        Element serial = child(devices, "serial");
        serial.setAttribute("type", "pty");
        child(serial, "target").setAttribute("port", "0");
        Element console = child(devices, "console");
        console.setAttribute("type", "pty");
        Element consoleTarget = child(console, "target");
        consoleTarget.setAttribute("type", "serial");
        consoleTarget.setAttribute("port", "0");
        // Without an entropy source the guest waits ~8 s at every boot before it can make its SSH host key.
        Element rng = child(devices, "rng");
        rng.setAttribute("model", "virtio");
        text(rng, "backend", "/dev/urandom").setAttribute("model", "random");
        child(devices, "memballoon").setAttribute("model", "none");
    }

    private static Element disk(Element devices, String device, String format, String file) {
        Element disk = child(devices, "disk");
        disk.setAttribute("type", "file");
        disk.setAttribute("device", device);
        Element driver = child(disk, "driver");
        driver.setAttribute("name", "qemu");
        driver.setAttribute("type", format);
        child(disk, "source").setAttribute("file", file);
        return disk;
    }

    private static void target(Element disk, String dev, String bus) {
        Element target = child(disk, "target");
        target.setAttribute("dev", dev);
        target.setAttribute("bus", bus);
    }

    private static void arg(Element commandline, String value) {
        Element arg = commandline.getOwnerDocument().createElementNS(QEMU_NS, "qemu:arg");
        arg.setAttribute("value", value);
        commandline.appendChild(arg);
    }

    private static Element child(Element parent, String name) {
        Element e = parent.getOwnerDocument().createElement(name);
        parent.appendChild(e);
        return e;
    }

    private static Element text(Element parent, String name, String text) {
        Element e = child(parent, name);
        e.setTextContent(text);
        return e;
    }

    private static Document newDocument() {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            return f.newDocumentBuilder().newDocument();
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's DOM builder is unavailable", e);
        }
    }

    private static String serialise(Document doc) {
        try {
            Transformer t = TransformerFactory.newInstance().newTransformer();
            t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            t.setOutputProperty(OutputKeys.INDENT, "yes");
            t.setOutputProperty("{http://xml.apache.org/xslt}indent-amount", "2");
            StringWriter out = new StringWriter(2048);
            t.transform(new DOMSource(doc), new StreamResult(out));
            return out.toString();
        } catch (TransformerException e) {
            throw new IllegalStateException("cannot write the domain XML: " + e.getMessage(), e);
        }
    }
}
