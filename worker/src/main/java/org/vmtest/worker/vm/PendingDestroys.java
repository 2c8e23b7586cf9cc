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
 * Domains whose destroy failed because libvirt did not answer (libvirtd restarted, its socket cut). A job cannot wait
 * for libvirt to come back, so it ends and leaves the domain's name here; every {@code interval} this tries a fresh
 * connection and, as soon as libvirt answers, destroys what is still running. Without it such a guest would run on
 * until this worker's next start swept it away.
 *
 * <pre>{@code
 * try (PendingDestroys pending = new PendingDestroys("qemu:///system", Duration.ofSeconds(2))) {
 *     if (!vm.isDestroyed()) pending.add(vm.name());
 * }
 * }</pre>
 */
public final class PendingDestroys implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PendingDestroys.class);

    private final String uri;
    private final Set<String> names = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService retry;

    public PendingDestroys(String uri, Duration interval) {
        this.uri = uri;
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
                    domainName, uri);
        }
    }

    /** The domains still waiting for libvirt. */
    public List<String> waiting() {
        return List.copyOf(names);
    }

    private void retry() {
        if (names.isEmpty()) return;
        // a fresh connection: the one that was cut does not come back by itself
        try (Hypervisor libvirt = Hypervisor.open(uri)) {
            for (String name : List.copyOf(names)) {
                if (!libvirt.isRunning(name)) {
                    names.remove(name);
                    LOG.info("domain {} is gone (libvirt at {} answers again)", name, uri);
                } else if (libvirt.destroy(name)) {
                    names.remove(name);
                    LOG.warn("domain {} destroyed now that libvirt at {} answers again", name, uri);
                }
            }
        } catch (VmStartException e) {
            LOG.debug("libvirt still unreachable, {} domain(s) waiting: {}", names.size(), e.getMessage());
        } catch (RuntimeException e) {
            // the next round tries again; a scheduled task that throws would never run again
            LOG.warn("retrying the destroy of {}: {}", names, e.toString());
        }
    }

    @Override
    public void close() {
        retry.shutdownNow();
        if (!names.isEmpty()) {
            LOG.error("stopping with domains that could not be destroyed: {} (the next start sweeps them)", names);
        }
    }
}
