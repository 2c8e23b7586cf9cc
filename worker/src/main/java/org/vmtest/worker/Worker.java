package org.vmtest.worker;

import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.sshd.client.SshClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.ops.OpsEndpoint;
import org.vmtest.protocol.kafka.TopicAdmin;
import org.vmtest.worker.artifacts.ArtifactCache;
import org.vmtest.worker.control.AbortStats;
import org.vmtest.worker.control.ControlListener;
import org.vmtest.worker.jobs.JobSlots;
import org.vmtest.worker.jobs.RunningJobs;
import org.vmtest.worker.jobs.ShareGroupSetup;
import org.vmtest.worker.jobs.WorkerContext;
import org.vmtest.worker.ssh.GuestSsh;
import org.vmtest.worker.stream.StreamPublisher;
import org.vmtest.worker.vm.AcceleratorProbe;
import org.vmtest.worker.vm.Hypervisor;
import org.vmtest.worker.vm.PendingDestroys;
import org.vmtest.worker.vm.VmLauncher;
import org.vmtest.worker.vm.VmStartException;

/**
 * A running worker: takes jobs from the share group, runs their VMs, streams their lines, obeys aborts, beats its
 * heart. {@link #close()} shuts it down cleanly: running jobs are released (their VMs destroyed first) so that
 * another worker takes them at once. With a {@code metricsAddress} it serves {@code /metrics} and {@code /health}.
 */
public final class Worker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
    /**
     * How often the libvirt connection is checked (and opened again after a cut), and a domain that libvirt could not
     * destroy tried again: the guest's extra run time, and the time /health stays 503 after libvirt's return, at most.
     */
    private static final Duration LIBVIRT_CHECK = Duration.ofSeconds(2);

    private final WorkerConfig config;
    private final Hypervisor hypervisor;
    private final SshClient ssh;
    private final StreamPublisher publisher;
    private final RunningJobs running;
    private final AbortStats aborts;
    private final AcceleratorProbe.Result accelerator;
    private final ControlListener control;
    private final Heartbeat heartbeat;
    private final JobSlots slots;
    private final PendingDestroys pendingDestroys;
    private final ArtifactCache artifacts;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final WorkerMetrics metrics;
    private final OpsEndpoint endpoint;
    private volatile boolean started;
    private volatile boolean stopping;

    private Worker(WorkerConfig config, InstantSource clock) throws VmStartException {
        this.config = config;
        registry.config().commonTags("worker", config.workerId());
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        this.metrics = new WorkerMetrics(registry);
        // before anything else: an address that cannot be bound stops the start before a VM or a consumer exists
        this.endpoint = openEndpoint(config, registry, this::health);
        ArtifactCache cache = null;
        try {
            if (config.kafka().createTopics()) TopicAdmin.ensureTopics(config.kafka());
            ShareGroupSetup.apply(config.kafka(), Map.of());
            this.hypervisor = Hypervisor.open(config.libvirtUri());
            cache = ArtifactCache.open(config.artifactCache(), registry);
            this.artifacts = cache;
            VmLauncher launcher = new VmLauncher(hypervisor, config.workerId(), config.imageDir(),
                    config.ownWorkDir(), artifacts);
            int swept = launcher.sweep();
            if (swept > 0) LOG.warn("worker {} removed {} domains/overlays of an earlier run", config.workerId(), swept);
            this.accelerator = AcceleratorProbe.resolve(config.accelerator(), hypervisor, config.hostFacts(),
                    config.imageDir().resolve("vmlinuz"), config.probeTimeout(), launcher.domainPrefix() + "kvm-probe");
            this.ssh = GuestSsh.newClient();
            this.publisher = new StreamPublisher(config.kafka(), "vmtest-worker-" + config.workerId(), clock,
                    metrics);
            this.running = new RunningJobs();
            metrics.slots(config.slots(), running::size);
            this.aborts = new AbortStats();
            DeadLetters deadLetters = new DeadLetters(publisher, config.kafka().topics().dlq(),
                    "worker-" + config.workerId(), clock, metrics);
            this.control = new ControlListener(config.kafka(), config.workerId(), running, deadLetters);
            this.heartbeat = new Heartbeat(config, publisher, running, accelerator.wireName(),
                    hypervisor.libvirtVersion(), hypervisor.qemuVersion(), hostName(), clock);
            this.pendingDestroys = new PendingDestroys(hypervisor, LIBVIRT_CHECK);
            WorkerContext ctx = new WorkerContext(config, launcher, ssh, publisher, accelerator, running, aborts, clock,
                    metrics, pendingDestroys);
            this.slots = new JobSlots(ctx, deadLetters);
        } catch (VmStartException | RuntimeException e) {
            if (endpoint != null) endpoint.close();
            if (cache != null) cache.close();
            throw e;
        }
    }

    /**
     * Starts a worker; the caller closes it.
     *
     * @throws IllegalStateException when the metrics address cannot be bound
     */
    public static Worker start(WorkerConfig config) throws VmStartException {
        return start(config, InstantSource.system());
    }

    public static Worker start(WorkerConfig config, InstantSource clock) throws VmStartException {
        Worker w = new Worker(config, clock);
        w.control.start();
        w.heartbeat.start();
        w.slots.start();
        w.started = true;
        if (w.endpoint != null) {
            String host = config.metricsAddress().substring(0, config.metricsAddress().lastIndexOf(':'));
            LOG.info("worker {}: metrics on http://{}:{}/metrics, health on /health", config.workerId(),
                    host.isEmpty() ? "0.0.0.0" : host, w.endpoint.port());
        }
        LOG.info("worker {} started: {} slot(s), accelerator {} ({}), libvirt {}, QEMU {}", config.workerId(),
                config.slots(), w.accelerator.wireName(), w.accelerator.reason(), w.hypervisor.libvirtVersion(),
                w.hypervisor.qemuVersion());
        return w;
    }

    public WorkerConfig config() {
        return config;
    }

    public RunningJobs running() {
        return running;
    }

    /** Per abort, how long it took from the control record to the domain being gone. */
    public AbortStats aborts() {
        return aborts;
    }

    public AcceleratorProbe.Result accelerator() {
        return accelerator;
    }

    public WorkerMetrics metrics() {
        return metrics;
    }

    /** The port of the metrics endpoint, or -1 when none is configured. */
    public int metricsPort() {
        return endpoint == null ? -1 : endpoint.port();
    }

    private static OpsEndpoint openEndpoint(WorkerConfig config, PrometheusMeterRegistry registry,
                                            Supplier<OpsEndpoint.Health> health) {
        if (config.metricsAddress().isEmpty()) return null;
        try {
            return OpsEndpoint.start(config.metricsAddress(), "worker-metrics-http", registry, health);
        } catch (UnresolvedAddressException e) {
            throw new IllegalStateException("metricsAddress " + config.metricsAddress() + ": unknown host", e);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("metricsAddress " + config.metricsAddress() + ": " + e.getMessage(), e);
        }
    }

    /** Healthy while every slot takes jobs, the control listener follows aborts and libvirt is connected. */
    private OpsEndpoint.Health health() {
        if (stopping) return new OpsEndpoint.Health(false, "worker " + config.workerId() + ": stopping");
        if (!started) return new OpsEndpoint.Health(false, "worker " + config.workerId() + ": starting");
        List<Integer> stoppedSlots = slots.stoppedSlots();
        boolean control = this.control.isRunning();
        boolean libvirt = hypervisor.isAlive();
        StringBuilder text = new StringBuilder("worker ").append(config.workerId()).append(": ")
                .append(config.slots() - stoppedSlots.size()).append(" of ").append(config.slots())
                .append(" slot(s) taking jobs, ").append(running.size()).append(" busy");
        if (!stoppedSlots.isEmpty()) text.append("; slot(s) ").append(stoppedSlots).append(" stopped by an error");
        text.append(control ? "; control listener running" : "; control listener stopped: aborts are not seen");
        text.append(libvirt ? "; libvirt connected" : "; libvirt connection lost");
        boolean healthy = stoppedSlots.isEmpty() && control && libvirt;
        return new OpsEndpoint.Health(healthy, (healthy ? "OK " : "UNHEALTHY ") + text);
    }

    @Override
    public void close() {
        LOG.info("worker {} stopping", config.workerId());
        stopping = true;
        if (endpoint != null) endpoint.close();
        slots.close();
        artifacts.close();
        pendingDestroys.close();
        control.close();
        heartbeat.close();
        publisher.flush();
        publisher.close();
        try {
            ssh.stop();
        } catch (RuntimeException e) {
            LOG.warn("stopping the SSH client: {}", e.toString());
        }
        hypervisor.close();
        registry.close();
        LOG.info("worker {} stopped", config.workerId());
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }
}
