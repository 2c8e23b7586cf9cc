package org.vmtest.worker.vm;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the worker's libvirt connection alive and destroys the domains whose destroy failed because libvirt did not
 * answer (libvirtd restarted, its socket cut). Every {@code interval} it checks the {@link Hypervisor}'s connection
 * and opens a new one when it was cut ({@link Hypervisor#reconnectIfDead()}), so that new jobs and {@code /health}
 * find libvirt again within one interval of its return. A job cannot wait for libvirt to come back, so it ends and
 * leaves its domain's name here; as soon as libvirt answers, what is still running is destroyed. Without it such a
 * guest would run on until this worker's next start swept it away.
 *
 * <pre>{@code
 * try (PendingDestroys pending = new PendingDestroys(hypervisor, Duration.ofSeconds(2))) {
 *     if (!vm.isDestroyed()) pending.add(vm.name());
 * }
 * }</pre>
 */
public final class PendingDestroys implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PendingDestroys.class);

    private final Hypervisor libvirt;
    private final Set<String> names = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService retry;

    public PendingDestroys(Hypervisor libvirt, Duration interval) {
        this.libvirt = libvirt;
        this.retry = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pending-destroys");
            t.setDaemon(true);
            return t;
        });
        retry.scheduleWithFixedDelay(this::retry, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A domain that may still run although its job is over; destroyed as soon as libvirt answers. */
    public void add(String domainName) {
        if (names.add(domainName)) {
            LOG.warn("domain {} could not be destroyed; destroying it as soon as libvirt at {} answers again",
                    domainName, libvirt.uri());
        }
    }

    /** The domains still waiting for libvirt. */
    public List<String> waiting() {
        return List.copyOf(names);
    }

    private void retry() {
        try {
            // the connection that was cut does not come back by itself
            if (!libvirt.reconnectIfDead()) {
                if (!names.isEmpty()) LOG.debug("libvirt still unreachable, {} domain(s) waiting", names.size());
                return;
            }
            for (String name : List.copyOf(names)) {
                if (!libvirt.isRunning(name)) {
                    if (!libvirt.isAlive()) return; // cut again meanwhile: "not running" meant "no answer"
                    names.remove(name);
                    LOG.info("domain {} is gone (libvirt at {} answers again)", name, libvirt.uri());
                } else if (libvirt.destroy(name)) {
                    names.remove(name);
                    LOG.warn("domain {} destroyed now that libvirt at {} answers again", name, libvirt.uri());
                }
            }
        } catch (RuntimeException e) {
            // the next round tries again; a scheduled task that throws would never run again
            LOG.warn("checking libvirt at {} (domains waiting: {}): {}", libvirt.uri(), names, e.toString());
        }
    }

    @Override
    public void close() {
        retry.shutdownNow();
        try {
            // the owner closes the Hypervisor next: no round may still be using it
            if (!retry.awaitTermination(5, TimeUnit.SECONDS)) LOG.warn("the libvirt check did not end within 5 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!names.isEmpty()) {
            LOG.error("stopping with domains that could not be destroyed: {} (the next start sweeps them)", names);
        }
    }
}
