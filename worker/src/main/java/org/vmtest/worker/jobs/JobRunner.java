package org.vmtest.worker.jobs;

import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.control.ControlCommand;
import org.vmtest.protocol.jobs.JobRequested;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.protocol.jobs.SshSpec;
import org.vmtest.protocol.jobs.Step;
import org.vmtest.protocol.jobs.TestSpec;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.JobStarted;
import org.vmtest.protocol.stream.PhaseChanged;
import org.vmtest.protocol.stream.TestFinished;
import org.vmtest.worker.ssh.ExecResult;
import org.vmtest.worker.ssh.GuestSsh;
import org.vmtest.worker.ssh.SshKeys;
import org.vmtest.worker.stream.JobStream;
import org.vmtest.worker.stream.LineAssembler;
import org.vmtest.worker.vm.ConsoleListener;
import org.vmtest.worker.vm.VirtualMachine;
import org.vmtest.worker.vm.VmStartException;

/**
 * Runs one attempt of one job through its phases, on a thread of its own, and always leaves the VM gone.
 * Other threads may {@link #abort} it (a control command) or {@link #release} it (the worker shuts down). An abort
 * pauses the guest at once and destroys the domain right after; a release destroys it. Either ends whatever the
 * job thread was waiting for.
 */
public final class JobRunner {
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
    private static final int OUTPUT_TAIL_LINES = 20;
    private static final int OUTPUT_KEEP_CHARS = 1 << 20;

    private final JobRequested job;
    private final Profile profile;
    private final int attempt;
    private final WorkerContext ctx;
    private final String domainName;
    private final Map<Phase, Long> phaseMillis = new EnumMap<>(Phase.class);
    private final AtomicBoolean abortStopIssued = new AtomicBoolean();
    /** Epoch millis at which, after an abort, the guest was seen stopped (paused or gone) and the domain gone; 0 = not yet. */
    private final AtomicLong abortStoppedAt = new AtomicLong();
    private final AtomicLong abortGoneAt = new AtomicLong();
    private volatile boolean abortPaused;
    private volatile VirtualMachine vm;
    private volatile GuestSsh ssh;
    private volatile ControlCommand abort;
    private volatile long abortIssuedAtMillis;
    private volatile boolean released;
    private JobStream stream;
    private Phase phase = Phase.PROVISIONING;
    private long phaseStartNanos;
    private long phaseDeadlineNanos;

    /** How the attempt ended: a {@link JobFinished} to publish, or released to another worker. */
    public record Outcome(JobFinished finished, boolean released) {
    }

    /** The job could not go on; carries the verdict the worker gives it. */
    private static final class JobEnd extends Exception {
        final Verdict verdict;

        JobEnd(Verdict verdict, String reason) {
            super(reason, null, false, false);
            this.verdict = verdict;
        }
    }

    public JobRunner(JobRequested job, int attempt, WorkerContext ctx) {
        this.job = job;
        this.profile = job.profile();
        this.attempt = attempt;
        this.ctx = ctx;
        this.domainName = ctx.launcher().domainName(job.jobId(), attempt);
    }

    public String jobId() {
        return job.jobId();
    }

    public String domainName() {
        return domainName;
    }

    /** Runs the attempt to its end; never throws. */
    public Outcome run() {
        MDC.put("jobId", job.jobId());
        MDC.put("runId", job.runId());
        stream = ctx.publisher().open(job.jobId(), job.runId(), attempt);
        Verdict verdict = Verdict.PASSED;
        String reason = "";
        try {
            stream.event(new JobStarted(job.jobId(), attempt, ctx.clock().instant(), job.runId(), profile.name(),
                    ctx.config().workerId(), domainName, ctx.accelerator().wireName(), profile.stallLimits(),
                    profile.patterns()));
            String failedTests = phases();
            if (failedTests != null) {
                verdict = Verdict.FAILED;
                reason = failedTests;
            }
        } catch (JobEnd end) {
            verdict = end.verdict;
            reason = end.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            verdict = Verdict.ERROR;
            reason = "worker interrupted";
        } catch (RuntimeException e) {
            LOG.error("job {} failed in the worker", job.jobId(), e);
            verdict = Verdict.ERROR;
            reason = "worker error: " + e;
        } finally {
            cleanUp();
        }
        // an abort or a release that came in while the job thread was in a blocking call decides the outcome
        if (abort != null) {
            verdict = Verdict.ABORTED;
            reason = "aborted: " + abort.reason() + abortAccount();
        }
        closePhase();
        try {
            if (released) {
                stream.worker("worker " + ctx.config().workerId() + " shut down: job released for another worker");
                return new Outcome(null, true);
            }
            stream.worker("job ended " + verdict + (reason.isEmpty() ? "" : ": " + reason));
            JobFinished finished = new JobFinished(job.jobId(), attempt, ctx.clock().instant(), job.runId(), verdict,
                    reason, phase, phaseMillis, ctx.config().workerId(), vm == null ? 0 : vm.artifactFetchMillis());
            stream.event(finished);
            LOG.info("job {} attempt {} finished {} {}", job.jobId(), attempt, verdict, reason);
            return new Outcome(finished, false);
        } finally {
            MDC.remove("jobId");
            MDC.remove("runId");
        }
    }

    /** @return the failing tests in words, or null when everything passed */
    private String phases() throws JobEnd, InterruptedException {
        enter(Phase.PROVISIONING);
        provision();
        enter(Phase.INSTALLATION);
        for (Step step : profile.install()) {
            ExecResult r = runCommand(step.run(), step.timeout(), null);
            if (r.timedOut()) throw timeout("install step '" + step.name() + "'", step.timeout());
            if (r.exitCode() != 0) {
                throw new JobEnd(Verdict.FAILED, "install step '" + step.name() + "' "
                        + (r.exitCode() < 0 ? "ended without exit status: " + r.problem() : "exited with " + r.exitCode()));
            }
        }
        if (profile.reboot()) {
            enter(Phase.REBOOT);
            reboot();
        }
        enter(Phase.TESTING);
        int failed = 0;
        StringBuilder names = new StringBuilder();
        for (TestSpec test : profile.tests()) {
            if (!runTest(test)) {
                failed++;
                names.append(names.length() == 0 ? "" : ", ").append(test.name());
            }
        }
        enter(Phase.REPORTING);
        return failed == 0 ? null : failed + " of " + profile.tests().size() + " tests failed: " + names;
    }

    private void provision() throws JobEnd, InterruptedException {
        KeyPair keys = SshKeys.generate();
        LineAssembler console = stream.assembler(LineSource.CONSOLE);
        ConsoleListener listener = new ConsoleListener() {
            @Override
            public void bytes(byte[] buf, int len) {
                console.feed(buf, 0, len);
            }

            @Override
            public void ended() {
                console.finish();
            }
        };
        long t0 = System.nanoTime();
        try {
            vm = ctx.launcher().launch(profile, job.artifacts(), stream::worker, domainName,
                    ctx.accelerator().accelerator(), SshKeys.openSshPublicLine(keys, "vmtest-" + job.jobId()), listener);
        } catch (VmStartException e) {
            throw new JobEnd(Verdict.ERROR, "VM could not start: " + e.getMessage());
        }
        if (abort != null) stopForAbort();
        if (released) destroyNow();
        stream.worker("domain " + domainName + " started (" + ctx.accelerator().wireName() + ") in "
                + millisSince(t0) + " ms" + (vm.sshPort() > 0 ? ", ssh on 127.0.0.1:" + vm.sshPort() : ""));
        if (profile.ssh().keyDelivery() == SshSpec.KeyDelivery.NONE) return;
        ssh = new GuestSsh(ctx.ssh(), profile.ssh().user(), vm.sshPort(), keys,
                ctx.config().ssh().connectRetryInterval(), ctx.config().ssh().connectAttemptTimeout());
        if (abort != null || released) ssh.close();
        long deadline = Math.min(phaseDeadlineNanos, System.nanoTime() + profile.ssh().connectTimeout().toNanos());
        if (!ssh.connect(deadline)) {
            checkStopped();
            throw new JobEnd(Verdict.ERROR, "SSH never answered within "
                    + seconds(Math.min(profile.ssh().connectTimeout().toNanos(), phaseDeadlineNanos - phaseStartNanos)));
        }
        stream.worker("ssh up " + millisSince(t0) + " ms after the domain was created");
    }

    private void reboot() throws JobEnd, InterruptedException {
        String bootId = capture("cat /proc/sys/kernel/random/boot_id");
        if (bootId == null) LOG.warn("job {}: no boot id before the reboot; cannot tell the old system from the new", job.jobId());
        long t0 = System.nanoTime();
        stream.worker("rebooting the guest");
        // the connection may drop before `reboot` reports back: its exit status does not matter
        runCommand("reboot", Duration.ofSeconds(30), null);
        ssh.disconnect();
        while (true) {
            if (!ssh.connect(phaseDeadlineNanos)) {
                checkStopped();
                throw new JobEnd(Verdict.FAILED, "the guest did not come back after the reboot within "
                        + seconds(phaseDeadlineNanos - phaseStartNanos) + " (phase REBOOT timeout)");
            }
            String now = capture("cat /proc/sys/kernel/random/boot_id");
            // the old system may still answer (or half answer) for a moment after `reboot`: only a readable, new
            // boot id means the guest is back
            if (now != null && (bootId == null || !now.equals(bootId))) break;
            ssh.disconnect();
            Thread.sleep(ctx.config().ssh().connectRetryInterval().toMillis());
        }
        stream.worker("guest back after the reboot in " + millisSince(t0) + " ms");
    }

    /** Runs a command for the worker's own use; its output is not streamed. Null when it fails. */
    private String capture(String command) {
        StringBuilder out = new StringBuilder();
        LineAssembler stdout = new LineAssembler((b, len, cont) -> out.append(new String(b, 0, len, java.nio.charset.StandardCharsets.UTF_8)));
        LineAssembler stderr = new LineAssembler((b, len, cont) -> { });
        ExecResult r = ssh.exec(command, Duration.ofSeconds(30), stdout, stderr);
        if (!r.succeeded()) LOG.warn("'{}' failed: exit {} {}", command, r.exitCode(), r.problem());
        return r.succeeded() ? out.toString().strip() : null;
    }

    private boolean runTest(TestSpec test) throws JobEnd, InterruptedException {
        Deque<String> tail = new ArrayDeque<>();
        StringBuilder all = new StringBuilder();
        JobStream.Tap tap = (text, continued) -> {
            synchronized (tail) {
                if (all.length() < OUTPUT_KEEP_CHARS) all.append(text).append(continued ? "" : "\n");
                tail.addLast(text);
                if (tail.size() > OUTPUT_TAIL_LINES) tail.removeFirst();
            }
        };
        long t0 = System.nanoTime();
        ExecResult r = runCommand(test.run(), test.timeout(), tap);
        String reason = "";
        if (r.timedOut()) {
            reason = "timed out after " + seconds(Math.min(test.timeout().toNanos(), r.durationMillis() * 1_000_000L));
        } else if (r.exitCode() < 0) {
            reason = "no exit status: " + r.problem();
        } else if (r.exitCode() != test.expectExit()) {
            reason = "exit status " + r.exitCode() + ", expected " + test.expectExit();
        } else if (test.expectOutput() != null) {
            String output;
            synchronized (tail) {
                output = all.toString();
            }
            if (!Pattern.compile(test.expectOutput(), Pattern.MULTILINE).matcher(output).find()) {
                reason = "output does not match /" + test.expectOutput() + "/";
            }
        }
        boolean passed = reason.isEmpty();
        String outputTail;
        synchronized (tail) {
            outputTail = String.join("\n", tail);
        }
        stream.event(new TestFinished(job.jobId(), attempt, ctx.clock().instant(), job.runId(), test.name(), passed,
                r.exitCode(), millisSince(t0), reason, outputTail));
        if (r.timedOut() && System.nanoTime() >= phaseDeadlineNanos) throw timeout("test '" + test.name() + "'", test.timeout());
        return passed;
    }

    /** Runs a command within both its own timeout and what is left of the phase; streams its output. */
    private ExecResult runCommand(String command, Duration timeout, JobStream.Tap tap) throws JobEnd {
        checkStopped();
        long left = phaseDeadlineNanos - System.nanoTime();
        if (left <= 0) throw timeout("'" + command + "'", timeout);
        Duration effective = Duration.ofNanos(Math.min(timeout.toNanos(), left));
        stream.worker("$ " + command);
        ExecResult r = ssh.exec(command, effective, stream.assembler(LineSource.SSH_STDOUT, tap),
                stream.assembler(LineSource.SSH_STDERR, tap));
        checkStopped();
        return r;
    }

    /** The phase's own timeout wins over the command's when the phase ran out first. */
    private JobEnd timeout(String what, Duration own) {
        if (System.nanoTime() >= phaseDeadlineNanos - TimeUnit.MILLISECONDS.toNanos(50)) {
            return new JobEnd(Verdict.FAILED, "phase " + phase + " timed out after "
                    + seconds(phaseDeadlineNanos - phaseStartNanos));
        }
        return new JobEnd(Verdict.FAILED, what + " timed out after " + seconds(own.toNanos()));
    }

    private void checkStopped() throws JobEnd {
        if (abort != null) throw new JobEnd(Verdict.ABORTED, "aborted: " + abort.reason());
        if (released) throw new JobEnd(Verdict.ERROR, "released");
    }

    private void enter(Phase next) {
        closePhase();
        phase = next;
        phaseStartNanos = System.nanoTime();
        phaseDeadlineNanos = phaseStartNanos + profile.timeout(next).toNanos();
        stream.phase(next);
        stream.event(new PhaseChanged(job.jobId(), attempt, ctx.clock().instant(), job.runId(), next));
    }

    private void closePhase() {
        if (phaseStartNanos != 0) phaseMillis.merge(phase, millisSince(phaseStartNanos), Long::sum);
        phaseStartNanos = 0;
    }

    private void cleanUp() {
        GuestSsh s = ssh;
        if (s != null) s.close();
        VirtualMachine v = vm;
        if (v == null) return;
        // destroy first and on its own: waiting for the console and deleting the overlay is not the abort's time
        if (v.destroy() && abort != null) markGone();
        v.close();
        // libvirt did not answer: the job ends all the same, and the domain goes as soon as libvirt is back
        if (!v.isDestroyed()) ctx.pendingDestroys().add(v.name());
    }

    /**
     * Obeys a control command: pauses the guest now, on the caller's thread (milliseconds), then destroys the
     * domain on a thread of its own, so that the caller (the control listener) is free for the next command while
     * libvirt takes its time. The job thread then ends the job as ABORTED. A second command for the same job does
     * nothing (the analyzer sends each abort twice).
     *
     * @param issuedAtMillis the control record's timestamp, to measure how long the abort took
     */
    public void abort(ControlCommand command, long issuedAtMillis) {
        synchronized (this) {
            if (abort != null) return;
            abortIssuedAtMillis = issuedAtMillis;
            abort = command;
        }
        LOG.info("{} for job {}: {}", command.getClass().getSimpleName(), command.jobId(), command.reason());
        // null while the domain is being created: the job thread stops it as soon as it has it
        if (vm != null) stopForAbort();
    }

    /** The worker shuts down: destroy the VM, publish no verdict; the job goes back to the queue. */
    public void release() {
        released = true;
        destroyNow();
    }

    /** Called by whichever thread first sees both the abort and the VM: the control thread or the job thread. */
    private void stopForAbort() {
        VirtualMachine v = vm;
        if (v == null || !abortStopIssued.compareAndSet(false, true)) return;
        // a domain already destroyed (the job ended meanwhile) is not paused: the destroyer below finds it gone
        if (!v.isDestroyed() && v.suspend()) {
            abortPaused = true;
            markStopped();
        }
        GuestSsh s = ssh;
        if (s != null) s.close();
        Map<String, String> mdc = MDC.getCopyOfContextMap();
        Thread destroyer = new Thread(() -> {
            if (mdc != null) MDC.setContextMap(mdc);
            if (v.destroy()) markGone();
        }, "destroy-" + domainName);
        destroyer.setDaemon(true);
        destroyer.start();
    }

    private void markStopped() {
        long now = ctx.clock().millis();
        if (abortStoppedAt.compareAndSet(0, now)) {
            LOG.info("job {}: domain {} stopped {} ms after the {} was issued ({})", job.jobId(), domainName,
                    now - abortIssuedAtMillis, abort.getClass().getSimpleName(), abortPaused ? "paused" : "destroyed");
        }
    }

    /** The domain is gone; a guest that could not be paused first stopped only now. */
    private void markGone() {
        long now = ctx.clock().millis();
        if (abortStoppedAt.get() == 0) markStopped();
        if (abortGoneAt.compareAndSet(0, now)) {
            LOG.info("job {}: domain {} destroyed {} ms after the {} was issued", job.jobId(), domainName,
                    now - abortIssuedAtMillis, abort.getClass().getSimpleName());
        }
    }

    /** After {@link #cleanUp()}: the abort's figures for the JobFinished reason, recorded once in the abort stats. */
    private String abortAccount() {
        VirtualMachine v = vm;
        if (v == null) return "";
        if (!v.isDestroyed()) {
            LOG.error("job {}: domain {} could not be destroyed", job.jobId(), domainName);
            return " (the domain could not be destroyed: libvirt failed)";
        }
        // the abort came in after the cleanup had destroyed the domain: it is gone as of now
        if (abortGoneAt.get() == 0) markGone();
        long gone = abortGoneAt.get() - abortIssuedAtMillis;
        long stopped = Math.min(abortStoppedAt.get() - abortIssuedAtMillis, gone);
        ctx.aborts().record(stopped, gone);
        ctx.metrics().abort(stopped, gone);
        return abortPaused
                ? " (VM stopped " + stopped + " ms, domain destroyed " + gone + " ms after the abort was issued)"
                : " (domain destroyed " + gone + " ms after the abort was issued; it could not be paused first)";
    }

    private void destroyNow() {
        VirtualMachine v = vm;
        if (v != null && !v.destroy()) LOG.error("job {}: domain {} could not be destroyed", job.jobId(), domainName);
        GuestSsh s = ssh;
        if (s != null) s.close();
    }

    private static long millisSince(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    private static String seconds(long nanos) {
        long ms = TimeUnit.NANOSECONDS.toMillis(nanos);
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    List<Phase> phasesSeen() {
        return List.copyOf(phaseMillis.keySet());
    }
}
