package org.vmtest.worker.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
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
 * One VM slot: its own share consumer of {@code vmtest.jobs} ({@link SlotConsumer}), holding at most one job at a
 * time.
 *
 * <p>Why a consumer per slot: in explicit acknowledgement mode a share consumer must acknowledge every record it
 * handed out before it may poll again, and a poll while a record is being renewed returns the renewed record
 * instead of fetching new ones. One consumer therefore cannot renew a running job and take another one at the
 * same time; a consumer per slot can, and a slot that fetches only while it is free never acquires more jobs than
 * the worker has free slots.
 *
 * <p>A delivery beyond the first may be a job that is over (a worker died after publishing its {@code JobFinished}
 * but before its ACCEPT reached the broker, or a broker or client fault): before it runs attempt two or later, the
 * slot looks for the job's {@code JobFinished} on the stream ({@link FinishedJobs}) and accepts the delivery
 * without a VM if there is one.
 *
 * <p>This thread does every call on its consumer: it polls, starts the job on a thread of its own, RENEWs the
 * job's lock while it runs, ACCEPTs when it ended (whatever the verdict; the ACCEPT goes out with the poll for the
 * next job), and RELEASEs it on shutdown.
 */
final class JobSlot implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(JobSlot.class);
    private static final JsonSerde<JobMessage> SERDE = JsonSerde.of(JobMessage.class);
    private static final Duration IDLE_POLL = Duration.ofSeconds(1);
    private static final Duration FINISHED_LOOKUP_TIMEOUT = Duration.ofSeconds(30);

    private final int index;
    private final WorkerContext ctx;
    private final DeadLetters deadLetters;
    private final SlotConsumer consumer;
    private final FinishedJobs finishedJobs;
    private final CompletableFuture<Void> stop = new CompletableFuture<>();
    private volatile boolean stopping;

    JobSlot(int index, WorkerContext ctx, DeadLetters deadLetters) {
        this.index = index;
        this.ctx = ctx;
        this.deadLetters = deadLetters;
        String clientId = "vmtest-worker-" + ctx.config().workerId() + "-slot" + index;
        this.consumer = SlotConsumer.subscribe(ctx.config().kafka(), clientId, "slot " + index + " of worker "
                + ctx.config().workerId());
        this.finishedJobs = new FinishedJobs(ctx.config().kafka(), clientId + "-finished-lookup", FINISHED_LOOKUP_TIMEOUT);
    }

    /** Asks the slot to stop: a running job is released, the consumer closed. Returns at once. */
    void stop() {
        stopping = true;
        stop.complete(null);
        consumer.wakeup();
    }

    /**
     * Polls while free. A job's acknowledgement goes out with the next poll (see {@link SlotConsumer}); on the way out
     * the last ones are committed before the consumer closes.
     */
    @Override
    public void run() {
        long freeSince = System.nanoTime();
        try {
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
                        handle(record, freeSince);
                        freeSince = System.nanoTime();
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.error("slot {} of worker {} stopped by an error", index, ctx.config().workerId(), e);
        } finally {
            consumer.commit();
            consumer.close();
        }
    }

    /** @param freeSince when the slot settled its previous job (or started): what it waited for this one */
    private void handle(ConsumerRecord<String, byte[]> record, long freeSince) {
        long acquired = System.nanoTime();
        Decoded<JobMessage> decoded = SERDE.decode(record.value());
        if (decoded instanceof Decoded.Malformed<JobMessage> bad) {
            deadLetters.send(record, bad.error());
            consumer.acknowledge(record, AcknowledgeType.REJECT);
            return;
        }
        JobRequested job = (JobRequested) ((Decoded.Ok<JobMessage>) decoded).value();
        int attempt = record.deliveryCount().map(Short::intValue).orElse(1);
        if (attempt > 1) ctx.metrics().redelivery();
        if (ctx.running().alreadyFinished(job.jobId())) {
            LOG.warn("slot {}: job {} came back (delivery {}) after this worker finished it; accepting it again",
                    index, job.jobId(), attempt);
            consumer.acknowledge(record, AcknowledgeType.ACCEPT);
            return;
        }
        if (attempt > 1) {
            Optional<JobFinished> earlier = finishedBefore(job, record);
            if (earlier.isPresent()) {
                JobFinished f = earlier.get();
                LOG.warn("slot {}: job {} delivered again (delivery {}) although its attempt {} finished {} on worker {};"
                        + " accepting it without running it", index, job.jobId(), attempt, f.attempt(), f.outcome(),
                        f.workerId());
                consumer.acknowledge(record, AcknowledgeType.ACCEPT);
                ctx.running().finished(job.jobId());
                return;
            }
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
        CompletableFuture<JobOutcome> outcome = CompletableFuture.supplyAsync(runner::run,
                r -> {
                    Thread t = new Thread(r, "job-" + runner.domainName());
                    t.start();
                });
        long started = System.nanoTime();
        try {
            boolean inFlight = superviseUntilDone(record, outcome, runner);
            JobOutcome result = outcome.join();
            long ended = System.nanoTime();
            // the JobFinished is on the stream before the job can be delivered again: FinishedJobs relies on it
            if (result instanceof JobOutcome.Finished) ctx.publisher().flush();
            long flushed = System.nanoTime();
            if (!inFlight) {
                LOG.error("job {}: its record is no longer held by this slot; it cannot be acknowledged", job.jobId());
            } else {
                consumer.acknowledge(record, result instanceof JobOutcome.Released
                        ? AcknowledgeType.RELEASE : AcknowledgeType.ACCEPT);
            }
            // where a slot's time goes per job; the acknowledgement itself goes out with the next poll
            LOG.info("slot {} settled job {}: free {} ms before it came, {} ms to start it, ran {} ms, stream flush {} ms",
                    index, job.jobId(), millis(freeSince, acquired), millis(acquired, started), millis(started, ended),
                    millis(ended, flushed));
            if (result instanceof JobOutcome.Finished finished) {
                ctx.running().finished(job.jobId());
                ctx.metrics().finished(finished.finished());
            }
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
                                       CompletableFuture<JobOutcome> outcome, JobRunner runner) {
        long renewMillis = consumer.renewInterval(ctx.config().renewInterval()).toMillis();
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
            inFlight = consumer.renew(record);
        }
        return inFlight;
    }

    private static long millis(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1_000_000;
    }

    /** Ends a job without a VM (tried by too many workers, or cancelled while queued), so it does not loop. */
    private void endUnstarted(JobRequested job, int attempt, Verdict verdict, String reason) {
        JobStream stream = ctx.publisher().open(job.jobId(), job.runId(), attempt);
        stream.event(JobStarted.builder(job.jobId(), job.runId(), attempt).time(ctx.clock().instant())
                .profile(job.profile()).worker(ctx.config().workerId(), ctx.accelerator().wireName()).build());
        stream.worker("not started: " + reason);
        JobFinished finished = new JobFinished(job.jobId(), attempt, ctx.clock().instant(), job.runId(), verdict,
                reason, org.vmtest.protocol.Phase.PROVISIONING, Map.of(), ctx.config().workerId());
        stream.event(finished);
        ctx.publisher().flush();
        ctx.running().finished(job.jobId());
        ctx.metrics().finished(finished);
    }

    /** Whether the job has a JobFinished already; when that cannot be told, it runs (losing a job is worse). */
    private Optional<JobFinished> finishedBefore(JobRequested job, ConsumerRecord<String, byte[]> record) {
        Instant submitted = Instant.ofEpochMilli(record.timestamp());
        if (job.requestedAt() != null && job.requestedAt().isBefore(submitted)) submitted = job.requestedAt();
        long t0 = System.nanoTime();
        try {
            Optional<JobFinished> found = finishedJobs.find(job.jobId(), submitted);
            LOG.info("slot {}: looked for a JobFinished of job {} (delivery {}) in {} ms: {}", index, job.jobId(),
                    record.deliveryCount().orElse((short) 0), (System.nanoTime() - t0) / 1_000_000,
                    found.map(f -> "attempt " + f.attempt() + " " + f.outcome()).orElse("none"));
            return found;
        } catch (IllegalStateException e) {
            LOG.warn("slot {}: cannot tell whether job {} finished already ({}); running it", index, job.jobId(),
                    e.getMessage());
            return Optional.empty();
        }
    }
}
