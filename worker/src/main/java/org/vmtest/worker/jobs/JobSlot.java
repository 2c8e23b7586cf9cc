package org.vmtest.worker.jobs;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.codec.Decoded;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.jobs.JobMessage;
import org.vmtest.protocol.jobs.JobRequested;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.JobStarted;
import org.vmtest.worker.DeadLetters;
import org.vmtest.worker.stream.JobStream;

/**
 * One VM slot: its own share consumer of {@code vmtest.jobs}, holding at most one job at a time.
 *
 * <p>Why a consumer per slot: in explicit acknowledgement mode a share consumer must acknowledge every record it
 * handed out before it may poll again, and a poll that carries a RENEW returns the renewed records instead of
 * fetching new ones. One consumer therefore cannot renew a running job and take another one at the same time;
 * a consumer per slot can, and a slot that polls only while it is free (with {@code max.poll.records=1} and
 * {@code share.acquire.mode=record_limit}) never acquires more jobs than the worker has free slots.
 *
 * <p>This thread does every call on its consumer: it polls, starts the job on a thread of its own, RENEWs the
 * job's lock while it runs, ACCEPTs when it ended (whatever the verdict), and RELEASEs it on shutdown.
 */
final class JobSlot implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(JobSlot.class);
    private static final JsonSerde<JobMessage> SERDE = JsonSerde.of(JobMessage.class);
    private static final Duration IDLE_POLL = Duration.ofSeconds(1);
    private static final Duration RENEWAL_WAIT = Duration.ofSeconds(15);

    private final int index;
    private final WorkerContext ctx;
    private final DeadLetters deadLetters;
    private final ShareConsumer<String, byte[]> consumer;
    private final CompletableFuture<Void> stop = new CompletableFuture<>();
    private volatile boolean stopping;

    JobSlot(int index, WorkerContext ctx, DeadLetters deadLetters) {
        this.index = index;
        this.ctx = ctx;
        this.deadLetters = deadLetters;
        String clientId = "vmtest-worker-" + ctx.config().workerId() + "-slot" + index;
        Properties props = ctx.config().kafka().shareConsumer(clientId, ctx.config().kafka().topics().workerShareGroup());
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
        props.put(ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit");
        this.consumer = new KafkaShareConsumer<>(props);
    }

    /** Asks the slot to stop: a running job is released, the consumer closed. Returns at once. */
    void stop() {
        stopping = true;
        stop.complete(null);
        consumer.wakeup();
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(java.util.List.of(ctx.config().kafka().topics().jobs()));
            while (!stopping) {
                ConsumerRecords<String, byte[]> records;
                try {
                    records = consumer.poll(IDLE_POLL);
                } catch (WakeupException e) {
                    continue;
                }
                for (ConsumerRecord<String, byte[]> record : records) {
                    if (stopping) {
                        consumer.acknowledge(record, AcknowledgeType.RELEASE);
                    } else {
                        handle(record);
                    }
                }
                if (!records.isEmpty()) commit();
            }
        } catch (RuntimeException e) {
            LOG.error("slot {} of worker {} stopped by an error", index, ctx.config().workerId(), e);
        } finally {
            try {
                consumer.close(Duration.ofSeconds(10));
            } catch (RuntimeException e) {
                LOG.warn("closing the share consumer of slot {}: {}", index, e.toString());
            }
        }
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        Decoded<JobMessage> decoded = SERDE.decode(record.value());
        if (decoded instanceof Decoded.Malformed<JobMessage> bad) {
            deadLetters.send(record, bad.error());
            consumer.acknowledge(record, AcknowledgeType.REJECT);
            return;
        }
        JobRequested job = (JobRequested) ((Decoded.Ok<JobMessage>) decoded).value();
        int attempt = record.deliveryCount().map(Short::intValue).orElse(1);
        if (ctx.running().alreadyFinished(job.jobId())) {
            // Seen with Kafka 4.4: a job whose lock was renewed comes back once more right after its ACCEPT.
            // This worker published its JobFinished already; running it again would only duplicate it.
            LOG.warn("slot {}: job {} came back (delivery {}) after this worker finished it; accepting it again",
                    index, job.jobId(), attempt);
            consumer.acknowledge(record, AcknowledgeType.ACCEPT);
            return;
        }
        if (ctx.running().wasCancelled(job.jobId())) {
            LOG.info("slot {}: job {} was cancelled before it started; not starting it", index, job.jobId());
            endUnstarted(job, attempt, Verdict.ABORTED, "cancelled before it started");
            consumer.acknowledge(record, AcknowledgeType.ACCEPT);
            return;
        }
        if (attempt > job.profile().attemptLimit()) {
            int lost = attempt - 1;
            String reason = "worker lost " + lost + " time" + (lost == 1 ? "" : "s") + " (attempt limit "
                    + job.profile().attemptLimit() + ")";
            LOG.warn("job {}: {}", job.jobId(), reason);
            endUnstarted(job, attempt, Verdict.ERROR, reason);
            consumer.acknowledge(record, AcknowledgeType.ACCEPT);
            return;
        }
        JobRunner runner = new JobRunner(job, attempt, ctx);
        ctx.running().add(runner);
        LOG.info("slot {} took job {} (run {}, profile {}, attempt {})", index, job.jobId(), job.runId(),
                job.profile().name(), attempt);
        CompletableFuture<JobRunner.Outcome> outcome = CompletableFuture.supplyAsync(runner::run,
                r -> {
                    Thread t = new Thread(r, "job-" + runner.domainName());
                    t.start();
                });
        try {
            boolean inFlight = superviseUntilDone(record, outcome, runner);
            JobRunner.Outcome result = outcome.join();
            if (!inFlight) {
                LOG.error("job {}: its record is no longer held by this slot; it cannot be acknowledged", job.jobId());
            } else if (result.released()) {
                consumer.acknowledge(record, AcknowledgeType.RELEASE);
            } else {
                consumer.acknowledge(record, AcknowledgeType.ACCEPT);
            }
            if (!result.released()) ctx.running().finished(job.jobId());
        } finally {
            ctx.running().remove(runner);
        }
    }

    /**
     * Waits for the job to end, renewing its lock at every renew interval; on stop, releases the job.
     *
     * @return whether the record is still in flight here (acknowledgeable)
     */
    private boolean superviseUntilDone(ConsumerRecord<String, byte[]> record,
                                       CompletableFuture<JobRunner.Outcome> outcome, JobRunner runner) {
        long renewMillis = renewInterval().toMillis();
        boolean inFlight = true;
        boolean releaseAsked = false;
        while (!outcome.isDone()) {
            if (stopping && !releaseAsked) {
                releaseAsked = true;
                runner.release();
            }
            try {
                (releaseAsked ? outcome : CompletableFuture.anyOf(outcome, stop)).get(renewMillis, TimeUnit.MILLISECONDS);
                if (outcome.isDone() || releaseAsked) continue;
            } catch (TimeoutException e) {
                // time to renew
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                runner.release();
                releaseAsked = true;
            } catch (ExecutionException e) {
                continue;
            }
            if (stopping || outcome.isDone() || !inFlight) continue;
            consumer.acknowledge(record, AcknowledgeType.RENEW);
            inFlight = awaitRenewed(record);
        }
        return inFlight;
    }

    /** A renewed record comes back from poll once the broker extended its lock. */
    private boolean awaitRenewed(ConsumerRecord<String, byte[]> record) {
        long deadline = System.nanoTime() + RENEWAL_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            ConsumerRecords<String, byte[]> back;
            try {
                back = consumer.poll(Duration.ofMillis(200));
            } catch (WakeupException e) {
                continue;
            }
            boolean found = false;
            for (ConsumerRecord<String, byte[]> r : back) {
                if (r.partition() == record.partition() && r.offset() == record.offset() && r.topic().equals(record.topic())) {
                    found = true;
                } else {
                    LOG.error("slot {} got record {}-{}@{} while renewing; releasing it", index, r.topic(), r.partition(), r.offset());
                    consumer.acknowledge(r, AcknowledgeType.RELEASE);
                }
            }
            if (found) return true;
        }
        LOG.error("slot {}: the lock renewal of {}-{}@{} was not confirmed in {} s; another worker may take the job",
                index, record.topic(), record.partition(), record.offset(), RENEWAL_WAIT.toSeconds());
        return false;
    }

    private Duration renewInterval() {
        if (ctx.config().renewInterval() != null) return ctx.config().renewInterval();
        int lockMillis = consumer.acquisitionLockTimeoutMs().orElse(30_000);
        return Duration.ofMillis(Math.max(1000, lockMillis / 3));
    }

    /** Ends a job without a VM (tried by too many workers, or cancelled while queued), so it does not loop. */
    private void endUnstarted(JobRequested job, int attempt, Verdict verdict, String reason) {
        JobStream stream = ctx.publisher().open(job.jobId(), job.runId(), attempt);
        stream.event(new JobStarted(job.jobId(), attempt, ctx.clock().instant(), job.runId(), job.profile().name(),
                ctx.config().workerId(), "", ctx.accelerator().wireName(), job.profile().stallLimits(),
                job.profile().patterns()));
        stream.worker("not started: " + reason);
        stream.event(new JobFinished(job.jobId(), attempt, ctx.clock().instant(), job.runId(), verdict, reason,
                org.vmtest.protocol.Phase.PROVISIONING, java.util.Map.of(), ctx.config().workerId()));
        ctx.running().finished(job.jobId());
    }

    private void commit() {
        try {
            consumer.commitSync(Duration.ofSeconds(10)).forEach((tip, error) -> error.ifPresent(
                    e -> LOG.error("slot {}: acknowledgement for {} failed: {}", index, tip, e.toString())));
        } catch (WakeupException e) {
            commit();
        } catch (RuntimeException e) {
            LOG.error("slot {}: commit of acknowledgements failed: {}", index, e.toString());
        }
    }
}
