package org.vmtest.worker.vm;

import java.util.ArrayList;
import java.util.List;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's connection to libvirt. libvirt connections are thread-safe, so every job shares this one.
 */
public final class Hypervisor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Hypervisor.class);

    private final String uri;
    private final Connect connect;

    private Hypervisor(String uri, Connect connect) {
        this.uri = uri;
        this.connect = connect;
    }

    public static Hypervisor open(String uri) throws VmStartException {
        try {
            Hypervisor hypervisor = new Hypervisor(uri, new Connect(uri));
            loadConsoleBinding(hypervisor);
            return hypervisor;
        } catch (LibvirtException e) {
            throw new VmStartException("cannot connect to libvirt at " + uri + ": " + e.getMessage(), e);
        } catch (UnsatisfiedLinkError e) {
            throw new VmStartException("cannot load the libvirt client library (libvirt0): " + e.getMessage(), e);
        }
    }

    private static void loadConsoleBinding(Hypervisor hypervisor) throws VmStartException {
        try {
            LibvirtConsoleBinding.load();
        } catch (LinkageError e) {
            hypervisor.close();
            throw new VmStartException("cannot bind libvirt's virDomainOpenConsole (VM consoles): " + e, e);
        }
    }

    public String uri() {
        return uri;
    }

    /** e.g. {@code 9.0.0}, or {@code unknown}. */
    public String libvirtVersion() {
        try {
            return version(connect.getLibVirVersion());
        } catch (LibvirtException e) {
            return "unknown";
        }
    }

    /** The hypervisor (QEMU) version, e.g. {@code 7.2.22}, or {@code unknown}. */
    public String qemuVersion() {
        try {
            return version(connect.getVersion());
        } catch (LibvirtException e) {
            return "unknown";
        }
    }

    static String version(long v) {
        return (v / 1_000_000) + "." + (v / 1000 % 1000) + "." + (v % 1000);
    }

    /** Creates the transient domain paused, so that not one byte of its console is printed before we listen. */
    Domain createPaused(String xml) throws LibvirtException {
        return connect.domainCreateXML(xml, Domain.CreateFlags.PAUSED);
    }

    /** A new blocking stream on this connection, for a domain's console. */
    Stream newStream() throws LibvirtException {
        return connect.streamNew(0);
    }

    /** Names of the running domains whose name starts with {@code prefix}. */
    public List<String> domainsNamed(String prefix) {
        List<String> names = new ArrayList<>();
        try {
            for (int id : connect.listDomains()) {
                try {
                    String name = connect.domainLookupByID(id).getName();
                    if (name.startsWith(prefix)) names.add(name);
                } catch (LibvirtException e) {
                    LOG.debug("domain {} went away while listing: {}", id, e.getMessage());
                }
            }
        } catch (LibvirtException e) {
            LOG.warn("cannot list domains: {}", e.getMessage());
        }
        return names;
    }

    /** Destroys a domain by name; true when it existed. */
    public boolean destroy(String name) {
        try {
            connect.domainLookupByName(name).destroy();
            return true;
        } catch (LibvirtException e) {
            return false;
        }
    }

    /** Whether a domain of this name is running; transient domains vanish from libvirt when they stop. */
    public boolean isRunning(String name) {
        try {
            return connect.domainLookupByName(name).isActive() == 1;
        } catch (LibvirtException e) {
            return false;
        }
    }

    /** Whether the connection still works; libvirt answers from the client side, without a round trip. */
    public boolean isAlive() {
        try {
            return connect.isAlive();
        } catch (LibvirtException e) {
            return false;
        }
    }

    @Override
    public void close() {
        try {
            connect.close();
        } catch (LibvirtException e) {
            LOG.warn("closing the libvirt connection: {}", e.getMessage());
        }
    }
}
