package org.vmtest.worker.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.worker.artifacts.JobArtifacts;

/**
 * One running transient domain with its console and job files. {@link #close()} leaves nothing behind: the domain
 * destroyed, the console thread ended, the job's files (overlay or blank disk, cloud-init seed, UEFI variables)
 * deleted, the SSH port given back. {@link #suspend()} and
 * {@link #destroy()} may be called from any thread at any time (an abort) and return at once when the domain is
 * already gone.
 */
public final class VirtualMachine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VirtualMachine.class);

    private final String name;
    private final Domain domain;
    private final ConsoleStream console;
    private final List<Path> jobFiles;
    private final int sshPort;
    private final AtomicBoolean destroyed = new AtomicBoolean();
    private final AtomicBoolean suspended = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private boolean freed;
    private volatile JobArtifacts artifacts = JobArtifacts.none();

    private VirtualMachine(String name, Domain domain, ConsoleStream console, List<Path> jobFiles, int sshPort) {
        this.name = name;
        this.domain = domain;
        this.console = console;
        this.jobFiles = jobFiles;
        this.sshPort = sshPort;
    }

    /**
     * Creates the domain paused, attaches the console, then lets it run. The machine deletes {@code jobFiles} (may
     * be null) when it is closed; on failure nothing is left but them, and the caller still owns them.
     */
    static VirtualMachine start(Hypervisor hypervisor, DomainSpec spec, List<Path> jobFiles, ConsoleListener listener)
            throws VmStartException {
        Domain domain;
        try {
            domain = hypervisor.createPaused(DomainXml.of(spec));
        } catch (LibvirtException e) {
            throw new VmStartException("libvirt cannot start domain " + spec.name() + ": " + e.getMessage(), e);
        }
        try {
            ConsoleStream console = ConsoleStream.open(hypervisor, domain, spec.name(), listener::bytes,
                    listener::ended, "console-" + spec.name());
            domain.resume();
            LOG.info("domain {} running ({}, ssh 127.0.0.1:{})", spec.name(), spec.type(), spec.sshPort());
            return new VirtualMachine(spec.name(), domain, console, jobFiles == null ? List.of() : List.copyOf(jobFiles), spec.sshPort());
        } catch (LibvirtException | VmStartException | RuntimeException e) {
            // the console reader, if it started, ends by itself once the domain is gone
            try {
                domain.destroy();
            } catch (LibvirtException destroyError) {
                e.addSuppressed(destroyError);
            }
            try {
                domain.free();
            } catch (LibvirtException freeError) {
                e.addSuppressed(freeError);
            }
            if (e instanceof VmStartException vse) throw vse;
            throw new VmStartException("cannot run domain " + spec.name() + ": " + e.getMessage(), e);
        }
    }

    public String name() {
        return name;
    }

    /** The job's artifacts that this VM reads: held in the cache until {@link #close()}. */
    void holdUntilClosed(JobArtifacts fetched) {
        this.artifacts = fetched;
    }

    /** The port on 127.0.0.1 forwarded to the guest's SSH server. */
    public int sshPort() {
        return sshPort;
    }

    /**
     * Types {@code text} (UTF-8) on the guest's serial console.
     *
     * @throws IOException when the console is gone or libvirt failed
     */
    public void typeOnConsole(String text) throws IOException {
        console.send(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public boolean isDestroyed() {
        return destroyed.get();
    }

    /** Resets the guest the hard way, like the reset button; the domain (and its disk and console) stays. */
    public void reset() throws LibvirtException {
        domain.reboot(0);
    }

    /**
     * Pauses the guest's virtual CPUs (libvirt {@code virDomainSuspend}): from the moment this returns the guest
     * runs no instruction more, prints nothing, writes nothing. It takes milliseconds, where {@link #destroy()}
     * takes as long as libvirt needs to see QEMU's process gone and clean up after it (seconds on some hosts). The
     * domain, its console and its disk stay until {@link #destroy()}. Idempotent.
     *
     * @return whether the guest is stopped (paused now or earlier, or the domain gone); false when libvirt failed
     *     and the guest may run on
     */
    public synchronized boolean suspend() {
        // synchronized with destroy() and close(): never a call on a domain handle that close() freed
        if (destroyed.get() || freed || !suspended.compareAndSet(false, true)) return true;
        try {
            domain.suspend();
            LOG.info("domain {} paused", name);
            return true;
        } catch (LibvirtException e) {
            if (stillRunning()) {
                suspended.set(false);
                LOG.error("domain {} could not be paused and runs on: {}", name, e.getMessage());
                return false;
            }
            // a transient domain that already stopped no longer exists: nothing runs
            LOG.debug("suspend {}: {}", name, e.getMessage());
            return true;
        }
    }

    /**
     * Pulls the plug: destroys the domain now (paused or running). Safe from any thread, idempotent.
     *
     * @return whether the domain is gone (destroyed now or earlier); false when libvirt failed and it may still run
     */
    public synchronized boolean destroy() {
        // synchronized: a second caller (the job thread cleaning up) waits until the domain is really gone
        if (freed) return destroyed.get();
        if (!destroyed.compareAndSet(false, true)) return true;
        try {
            domain.destroy();
            LOG.info("domain {} destroyed", name);
            return true;
        } catch (LibvirtException e) {
            if (stillRunning()) {
                // libvirt unreachable or refusing: say so, and let a later cleanup try again
                destroyed.set(false);
                LOG.error("domain {} could not be destroyed and may still run: {}", name, e.getMessage());
                return false;
            }
            // a transient domain that already stopped (guest power-off, crash) no longer exists: nothing to do
            LOG.debug("destroy {}: {}", name, e.getMessage());
            return true;
        }
    }

    private synchronized void free() {
        freed = true;
        try {
            domain.free();
        } catch (LibvirtException e) {
            LOG.debug("free {}: {}", name, e.getMessage());
        }
    }

    private boolean stillRunning() {
        try {
            return domain.isActive() == 1;
        } catch (LibvirtException e) {
            String msg = String.valueOf(e.getMessage());
            // "Domain not found" means gone; any other error means we cannot tell, so assume it still runs
            return !msg.contains("not found") && !msg.contains("no domain");
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        destroy();
        try {
            if (!console.awaitEnd(5000)) LOG.warn("console of {} did not end within 5 s of the destroy", name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        free();
        PortAllocator.release(sshPort);
        for (Path f : jobFiles) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException e) {
                LOG.warn("cannot delete job file {}: {}", f, e.getMessage());
            }
        }
        artifacts.close();
    }
}
