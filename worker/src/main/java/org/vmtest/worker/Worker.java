package org.vmtest.worker;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.InstantSource;
import java.util.Map;
import org.apache.sshd.client.SshClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.protocol.kafka.TopicAdmin;
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
import org.vmtest.worker.vm.VmLauncher;
import org.vmtest.worker.vm.VmStartException;

/**
 * A running worker: takes jobs from the share group, runs their VMs, streams their lines, obeys aborts, beats its
 * heart. {@link #close()} shuts it down cleanly: running jobs are released (their VMs destroyed first) so that
 * another worker takes them at once.
 */
public final class Worker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

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

    private Worker(WorkerConfig config, InstantSource clock) throws VmStartException {
        this.config = config;
        if (config.kafka().createTopics()) TopicAdmin.ensureTopics(config.kafka());
        ShareGroupSetup.apply(config.kafka(), Map.of());
        this.hypervisor = Hypervisor.open(config.libvirtUri());
        VmLauncher launcher = new VmLauncher(hypervisor, config.workerId(), config.imageDir(), config.ownWorkDir());
        int swept = launcher.sweep();
        if (swept > 0) LOG.warn("worker {} removed {} domains/overlays of an earlier run", config.workerId(), swept);
        this.accelerator = AcceleratorProbe.resolve(config.accelerator(), hypervisor, config.hostFacts(),
                config.imageDir().resolve("vmlinuz"), config.probeTimeout(), launcher.domainPrefix() + "kvm-probe");
        this.ssh = GuestSsh.newClient();
        this.publisher = new StreamPublisher(config.kafka(), "vmtest-worker-" + config.workerId(), clock);
        this.running = new RunningJobs();
        this.aborts = new AbortStats();
        DeadLetters deadLetters = new DeadLetters(publisher, config.kafka().topics().dlq(),
                "worker-" + config.workerId(), clock);
        this.control = new ControlListener(config.kafka(), config.workerId(), running, deadLetters);
        this.heartbeat = new Heartbeat(config, publisher, running, accelerator.wireName(),
                hypervisor.libvirtVersion(), hypervisor.qemuVersion(), hostName(), clock);
        WorkerContext ctx = new WorkerContext(config, launcher, ssh, publisher, accelerator, running, aborts, clock);
        this.slots = new JobSlots(ctx, deadLetters);
    }

    /** Starts a worker; the caller closes it. */
    public static Worker start(WorkerConfig config) throws VmStartException {
        return start(config, InstantSource.system());
    }

    public static Worker start(WorkerConfig config, InstantSource clock) throws VmStartException {
        Worker w = new Worker(config, clock);
        w.control.start();
        w.heartbeat.start();
        w.slots.start();
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

    @Override
    public void close() {
        LOG.info("worker {} stopping", config.workerId());
        slots.close();
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
