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
 * The worker's connection to libvirt. libvirt connections are thread-safe, so every job shares this one. When
 * libvirtd goes away (restarted, its socket cut) the connection is dead for good: {@link #reconnectIfDead()} opens a
 * new one once libvirt answers again, and every later call uses it. Domains and console streams of the dead
 * connection stay dead; their jobs end as they would without the reconnect.
 */
public final class Hypervisor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Hypervisor.class);

    private final String uri;
    private volatile Connect connect;
    /** Dead connections replaced by a new one; closed with this, not at once, as a job may be in a call on one. */
    private final List<Connect> retired = new ArrayList<>();
    /** When the current outage was first seen (nanoTime), 0 while connected; guarded by this. */
    private long lostSince;

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

    /**
     * Creates the transient domain paused, so that not one byte of its console is printed before we listen. A cut
     * connection shows only when a call fails: then this connects again and tries once more, so the first job after
     * a libvirtd restart runs instead of ending in an error.
     */
    Domain createPaused(String xml) throws LibvirtException {
        Connect c = connect;
        try {
            return c.domainCreateXML(xml, Domain.CreateFlags.PAUSED);
        } catch (LibvirtException e) {
            if (alive(c) || !reconnectIfDead()) throw e;
            LOG.info("creating the domain again on the new libvirt connection (the first try failed: {})",
                    e.getMessage());
            return connect.domainCreateXML(xml, Domain.CreateFlags.PAUSED);
        }
    }

    /**
     * Checks the connection with a round trip (a cut one looks alive until a call fails) and, when it is dead, opens
     * a new one. Never blocks longer than one connection attempt; callers retry on their own interval.
     *
     * @return whether libvirt is connected now
     */
    public synchronized boolean reconnectIfDead() {
        Connect current = connect;
        if (answers(current)) return true;
        boolean firstTry = lostSince == 0;
        if (firstTry) lostSince = System.nanoTime();
        try {
            Connect fresh = new Connect(uri);
            retired.add(current);
            connect = fresh;
            LOG.warn("libvirt at {} answers again: new connection after {} ms without one", uri,
                    (System.nanoTime() - lostSince) / 1_000_000);
            lostSince = 0;
            return true;
        } catch (LibvirtException e) {
            if (firstTry) LOG.warn("libvirt connection lost; waiting for libvirt at {}: {}", uri, e.getMessage());
            else LOG.debug("waiting for libvirt at {}: {}", uri, e.getMessage());
            return false;
        }
    }

    private static boolean answers(Connect c) {
        try {
            c.getLibVirVersion(); // a remote call: fails on a cut connection and marks it dead
            return c.isAlive();
        } catch (LibvirtException e) {
            return false;
        }
    }

    private static boolean alive(Connect c) {
        try {
            return c.isAlive();
        } catch (LibvirtException e) {
            return false;
        }
    }

    /**
     * A new blocking stream on this connection, for a domain's console. It must be the domain's connection: should a
     * reconnect come between the domain's creation and this, the console fails to open and the job ends, as it would
     * have on the dead connection anyway.
     */
    Stream newStream() throws LibvirtException {
        return connect.streamNew(0);
    }

    /** Names of the running domains whose name starts with {@code prefix}. */
    public List<String> domainsNamed(String prefix) {
        List<String> names = new ArrayList<>();
        Connect c = connect;
        try {
            for (int id : c.listDomains()) {
                try {
                    String name = c.domainLookupByID(id).getName();
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
        return alive(connect);
    }

    @Override
    public synchronized void close() {
        for (Connect old : retired) {
            try {
                old.close();
            } catch (LibvirtException e) {
                LOG.debug("closing a dead libvirt connection: {}", e.getMessage());
            }
        }
        retired.clear();
        try {
            connect.close();
        } catch (LibvirtException e) {
            LOG.warn("closing the libvirt connection: {}", e.getMessage());
        }
    }
}
