package org.vmtest.worker.control;

import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.protocol.codec.Decoded;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.control.CancelJob;
import org.vmtest.protocol.control.ControlCommand;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.kafka.Partitions;
import org.vmtest.worker.DeadLetters;
import org.vmtest.worker.jobs.RunningJobs;

/**
 * Follows {@code vmtest.control}: every worker must see every command (only the one running the job acts), so it
 * reads all partitions itself from their end at start, without a consumer group, and polls with a short timeout:
 * the abort path is the latency that matters.
 */
public final class ControlListener implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlListener.class);
    private static final JsonSerde<ControlCommand> SERDE = JsonSerde.of(ControlCommand.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final RunningJobs running;
    private final DeadLetters deadLetters;
    private final Thread thread;
    private volatile boolean stopping;

    public ControlListener(KafkaSettings kafka, String workerId, RunningJobs running, DeadLetters deadLetters) {
        this.topic = kafka.topics().control();
        this.running = running;
        this.deadLetters = deadLetters;
        String clientId = "vmtest-worker-" + workerId + "-control";
        Properties props = kafka.assignedConsumer(clientId);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
        this.consumer = new KafkaConsumer<>(props);
        Partitions.assignAll(consumer, topic, Partitions.From.END, Duration.ofSeconds(30));
        this.thread = new Thread(this, "control-" + workerId);
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** False once its thread ended: the worker would not see aborts any more. */
    public boolean isRunning() {
        return thread.isAlive();
    }

    @Override
    public void run() {
        try {
            while (!stopping) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    handle(record);
                }
            }
        } catch (WakeupException e) {
            if (!stopping) throw e;
        } catch (RuntimeException e) {
            LOG.error("control listener stopped by an error", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        Decoded<ControlCommand> decoded = SERDE.decode(record.value());
        if (decoded instanceof Decoded.Malformed<ControlCommand> bad) {
            deadLetters.send(record, bad.error());
            return;
        }
        ControlCommand command = ((Decoded.Ok<ControlCommand>) decoded).value();
        var runner = running.get(command.jobId());
        if (runner.isPresent()) {
            runner.get().abort(command, record.timestamp());
        } else if (command instanceof CancelJob) {
            // the job may still be queued: whichever slot of this worker takes it later ends it unstarted
            running.cancelled(command.jobId());
        }
    }

    @Override
    public void close() {
        stopping = true;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
