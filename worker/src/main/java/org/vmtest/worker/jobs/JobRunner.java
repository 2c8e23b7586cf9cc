package org.vmtest.worker.jobs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.control.ControlCommand;
import org.vmtest.protocol.jobs.JobRequested;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.JobStarted;
import org.vmtest.worker.ssh.KeyDirectory;
import org.vmtest.worker.stream.JobStream;
import org.vmtest.worker.stream.SecretMask;
import org.vmtest.worker.stream.LineAssembler;
import org.vmtest.worker.vm.ConsoleListener;

/**
 * Runs one attempt of one job on a thread of its own, and always leaves the VM gone: publishes its
 * {@link JobStarted}, runs the {@link PhaseScript} against a libvirt guest, cleans up, and publishes the
 * {@link JobFinished}. Other threads stop it through {@link #abort} and {@link #release}, which its
 * {@link AbortHandle} carries out.
 */
public final class JobRunner {
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

    private final JobRequested job;
    private final int attempt;
    private final WorkerContext ctx;
    private final String domainName;
    private final JobStream stream;
    private final LibvirtGuestSession guest;
    private final AbortHandle handle;
    /** The run's secret values, masked in what this job publishes and logs. */
    private final SecretMask secrets;

    public JobRunner(JobRequested job, int attempt, WorkerContext ctx) {
        this.job = job;
        this.attempt = attempt;
        this.ctx = ctx;
        this.domainName = ctx.launcher().domainName(job.jobId(), attempt);
        this.stream = ctx.publisher().open(job.jobId(), job.runId(), attempt);
        this.secrets = new SecretMask(job.secrets());
        stream.maskSecrets(secrets);
        this.guest = new LibvirtGuestSession(ctx.launcher(), job.profile(), domainName, ctx.accelerator(), ctx.ssh(),
                ctx.config().ssh(), ctx.pendingDestroys(), consoleTo(stream), new KeyDirectory(ctx.config().keyDir()),
                "vmtest-" + job.jobId(), job.artifacts(), stream::worker);
        this.handle = new AbortHandle(job.jobId(), domainName, guest, ctx.clock(), (stopped, gone) -> {
            ctx.aborts().record(stopped, gone);
            ctx.metrics().abort(stopped, gone);
        });
    }

    private static ConsoleListener consoleTo(JobStream stream) {
        LineAssembler console = stream.assembler(LineSource.CONSOLE);
        return new ConsoleListener() {
            @Override
            public void bytes(byte[] buf, int len) {
                console.feed(buf, 0, len);
            }

            @Override
            public void ended() {
                console.finish();
            }
        };
    }

    public String jobId() {
        return job.jobId();
    }

    public String domainName() {
        return domainName;
    }

    /** See {@link AbortHandle#abort}. */
    public void abort(ControlCommand command, long issuedAtMillis) {
        handle.abort(command, issuedAtMillis);
    }

    /** See {@link AbortHandle#release}. */
    public void release() {
        handle.release();
    }

    /** Runs the attempt to its end; never throws. */
    public JobOutcome run() {
        MDC.put("jobId", job.jobId());
        MDC.put("runId", job.runId());
        try {
            return runAttempt();
        } finally {
            MDC.remove("jobId");
            MDC.remove("runId");
        }
    }

    private JobOutcome runAttempt() {
        PhaseScript script = new PhaseScript(job.profile(), guest, handle, stream, ctx.clock(), Ticker.SYSTEM,
                ctx.config().ssh().connectRetryInterval());
        ScriptResult result;
        try {
            stream.event(JobStarted.builder(job.jobId(), job.runId(), attempt).time(ctx.clock().instant())
                    .profile(job.profile()).worker(ctx.config().workerId(), ctx.accelerator().wireName())
                    .domain(domainName).build());
            result = script.run();
        } catch (RuntimeException e) {
            LOG.error("job {} failed in the worker", job.jobId(), e);
            result = new ScriptResult.Ended(Verdict.ERROR, "worker error: " + e);
        } finally {
            cleanUp();
        }
        // an abort or a release that came in while the job thread was in a blocking call decides the outcome
        if (handle.aborted()) result = new ScriptResult.Ended(Verdict.ABORTED, handle.abortReason() + handle.account());
        script.closePhase();
        if (handle.released()) {
            stream.worker("worker " + ctx.config().workerId() + " shut down: job released for another worker");
            return new JobOutcome.Released();
        }
        String reason = result.reason();
        stream.worker("job ended " + result.verdict() + (reason.isEmpty() ? "" : ": " + reason));
        JobFinished finished = new JobFinished(job.jobId(), attempt, ctx.clock().instant(), job.runId(),
                result.verdict(), reason, script.phase(), script.phaseMillis(), ctx.config().workerId(),
                guest.artifactFetchMillis());
        stream.event(finished);
        LOG.info("job {} attempt {} finished {} {}", job.jobId(), attempt, result.verdict(), secrets.apply(reason));
        return new JobOutcome.Finished(finished);
    }

    private void cleanUp() {
        // destroy first and on its own: waiting for the console and deleting the overlay is not the abort's time
        if (guest.poweredOn() && guest.destroy()) handle.destroyedByCleanup();
        guest.close();
    }
}
