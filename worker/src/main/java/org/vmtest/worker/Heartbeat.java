package org.vmtest.worker;

import java.time.InstantSource;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.workers.WorkerStatus;
import org.vmtest.worker.jobs.RunningJobs;
import org.vmtest.worker.stream.StreamPublisher;

/** Publishes this worker's {@link WorkerStatus} on the compacted {@code vmtest.workers} topic every interval. */
final class Heartbeat implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Heartbeat.class);
    private static final JsonSerde<WorkerStatus> SERDE = JsonSerde.of(WorkerStatus.class);

    private final WorkerConfig config;
    private final StreamPublisher publisher;
    private final RunningJobs running;
    private final String accelerator;
    private final String libvirtVersion;
    private final String qemuVersion;
    private final String host;
    private final InstantSource clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "heartbeat");
        t.setDaemon(true);
        return t;
    });

    Heartbeat(WorkerConfig config, StreamPublisher publisher, RunningJobs running, String accelerator,
              String libvirtVersion, String qemuVersion, String host, InstantSource clock) {
        this.config = config;
        this.publisher = publisher;
        this.running = running;
        this.accelerator = accelerator;
        this.libvirtVersion = libvirtVersion;
        this.qemuVersion = qemuVersion;
        this.host = host;
        this.clock = clock;
    }

    void start() {
        long ms = config.heartbeatInterval().toMillis();
        timer.scheduleAtFixedRate(() -> send(WorkerStatus.State.RUNNING), 0, ms, TimeUnit.MILLISECONDS);
    }

    private void send(WorkerStatus.State state) {
        try {
            WorkerStatus status = new WorkerStatus(config.workerId(), clock.instant(), state, config.slots(),
                    running.ids(), accelerator, libvirtVersion, qemuVersion, host);
            publisher.publish(config.kafka().topics().workers(), config.workerId(), SERDE.encode(status));
        } catch (RuntimeException e) {
            LOG.warn("heartbeat not sent: {}", e.toString());
        }
    }

    /** Stops the beat and sends the last status, STOPPED. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        send(WorkerStatus.State.STOPPED);
    }
}
