package org.vmtest.worker.jobs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.jobs.ConsoleStep;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.protocol.jobs.SshSpec;
import org.vmtest.protocol.jobs.Step;
import org.vmtest.protocol.jobs.TestSpec;
import org.vmtest.protocol.stream.PhaseChanged;
import org.vmtest.worker.ssh.ExecResult;
import org.vmtest.worker.stream.JobStream;
import org.vmtest.worker.stream.LineAssembler;
import org.vmtest.worker.vm.VmStartException;

/**
 * The phases of one job attempt, in order: start the guest and reach it over SSH (after a login on its serial
 * console that delivers the key, for {@code ssh.keyDelivery: CONSOLE}), run the install steps (commands over SSH
 * or console steps), reboot it if the profile says so, run the tests. Each phase has a deadline from the profile; every wait ends at the
 * earlier of its own timeout and the phase's. Runs on the job's thread only; what other threads do to the job
 * goes through the {@link AbortHandle}.
 */
final class PhaseScript {
    private static final Logger LOG = LoggerFactory.getLogger(PhaseScript.class);
    /** A command cut off this close to the phase's end ran into the phase timeout, not its own. */
    private static final Duration PHASE_END_SLACK = Duration.ofMillis(50);
    private static final Duration WORKER_COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration KEY_ON_CONSOLE_TIMEOUT = Duration.ofMinutes(1);
    private static final Duration SSH_START_TIMEOUT = Duration.ofMinutes(2);
    private static final String BOOT_ID = "cat /proc/sys/kernel/random/boot_id";

    private final Profile profile;
    private final GuestSession guest;
    private final AbortHandle abort;
    private final JobStream stream;
    private final InstantSource clock;
    private final Ticker ticker;
    private final Duration retryInterval;
    private final TestEvaluation tests;
    private final Map<Phase, Long> phaseMillis = new EnumMap<>(Phase.class);
    private Phase phase = Phase.PROVISIONING;
    private Deadline phaseDeadline;

    /**
     * @param retryInterval the pause between two looks for the guest after a reboot
     */
    PhaseScript(Profile profile, GuestSession guest, AbortHandle abort, JobStream stream, InstantSource clock,
                Ticker ticker, Duration retryInterval) {
        this.profile = profile;
        this.guest = guest;
        this.abort = abort;
        this.stream = stream;
        this.clock = clock;
        this.ticker = ticker;
        this.retryInterval = retryInterval;
        this.tests = new TestEvaluation(stream, clock, ticker);
    }

    /** Runs every phase; ends early, with the reason, when one cannot go on. Throws only on a worker bug. */
    ScriptResult run() {
        try {
            return phases();
        } catch (JobEnd end) {
            return new ScriptResult.Ended(end.verdict(), end.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ScriptResult.Ended(Verdict.ERROR, "worker interrupted");
        }
    }

    private ScriptResult phases() throws JobEnd, InterruptedException {
        enter(Phase.PROVISIONING);
        provision();
        enter(Phase.INSTALLATION);
        for (Step step : profile.install()) installStep(step);
        if (profile.reboot()) {
            enter(Phase.REBOOT);
            reboot();
        }
        enter(Phase.TESTING);
        List<String> failed = new ArrayList<>();
        for (TestSpec test : profile.tests()) {
            if (!runTest(test)) failed.add(test.name());
        }
        enter(Phase.REPORTING);
        return failed.isEmpty() ? new ScriptResult.Passed() : new ScriptResult.TestsFailed(failed, profile.tests().size());
    }

    private void provision() throws JobEnd, InterruptedException {
        long t0 = ticker.nanos();
        String started;
        try {
            started = guest.powerOn();
        } catch (VmStartException e) {
            throw new JobEnd(Verdict.ERROR, "VM could not start: " + e.getMessage());
        }
        abort.guestStarted();
        long created = ticker.nanos();
        String ssh = guest.sshAddress();
        // the boot's time starts when the artifacts are there: the fetch is reported on its own
        long fetch = guest.artifactFetchMillis();
        long booted = t0 + TimeUnit.MILLISECONDS.toNanos(fetch);
        stream.worker(started + " in " + ticker.millisSince(booted) + " ms"
                + (fetch > 0 ? ", after fetching its artifacts in " + fetch + " ms" : "")
                + (ssh.isEmpty() ? "" : ", ssh on " + ssh));
        if (profile.ssh().keyDelivery() == SshSpec.KeyDelivery.NONE) return;
        if (profile.ssh().keyDelivery() == SshSpec.KeyDelivery.CONSOLE) deliverKeyOnConsole();
        Deadline connect = phaseDeadline.within(profile.ssh().connectTimeout());
        if (!guest.connectSsh(connect.left())) {
            abort.checkStopped();
            throw new JobEnd(Verdict.ERROR, "SSH never answered within " + seconds(connect.allowed()));
        }
        // the orchestration's share of provisioning against the guest's own boot, per job (the fetch apart)
        stream.worker(String.format(Locale.ROOT, "provisioning: domain create %.2f s, boot to SSH %.2f s",
                (created - booted) / 1e9, (ticker.nanos() - created) / 1e9));
    }

    /**
     * Logs in on the serial console with the profile's steps, appends the job's key to the user's authorized_keys
     * and starts the SSH server if the profile says how. Each command ends by echoing a marker written so that the
     * console's echo of the typed line does not match it.
     */
    private void deliverKeyOnConsole() throws JobEnd, InterruptedException {
        List<ConsoleStep> login = profile.console().login();
        for (int i = 0; i < login.size(); i++) {
            requireOnConsole(login.get(i), "console login step " + (i + 1), Verdict.ERROR);
        }
        String home = "~" + profile.ssh().user();
        shellOnConsole("umask 077; mkdir -p " + home + "/.ssh && echo '" + guest.publicKey() + "' >> " + home
                + "/.ssh/authorized_keys && echo vmtest-key-\"installed\"\n", "vmtest-key-installed",
                KEY_ON_CONSOLE_TIMEOUT, "installing the job's key on the console");
        String startSsh = profile.console().startSsh();
        if (startSsh != null) {
            shellOnConsole(startSsh + "; echo vmtest-ssh-\"started\"\n", "vmtest-ssh-started", SSH_START_TIMEOUT,
                    "console.startSsh");
        }
    }

    /** Types a shell command on the console and waits for the marker it echoes when done. */
    private void shellOnConsole(String command, String marker, Duration timeout, String what)
            throws JobEnd, InterruptedException {
        requireOnConsole(new ConsoleStep(null, command, timeout), what, Verdict.ERROR);
        requireOnConsole(new ConsoleStep(marker, null, timeout), what, Verdict.ERROR);
    }

    private void installStep(Step step) throws JobEnd, InterruptedException {
        if (step.console() != null) {
            requireOnConsole(step.console(), "install step '" + step.name() + "'", Verdict.FAILED);
            return;
        }
        ExecResult r = runCommand(step.run(), step.timeout(), null);
        if (r.timedOut()) throw timeout("install step '" + step.name() + "'", step.timeout());
        if (r.exitCode() != 0) {
            throw new JobEnd(Verdict.FAILED, "install step '" + step.name() + "' "
                    + (r.exitCode() < 0 ? "ended without exit status: " + r.problem() : "exited with " + r.exitCode()));
        }
    }

    /** Reboots over SSH and waits until a new system answers: one with another boot id than before. */
    private void reboot() throws JobEnd, InterruptedException {
        String bootId = capture(BOOT_ID);
        if (bootId == null) LOG.warn("no boot id before the reboot; cannot tell the old system from the new");
        long t0 = ticker.nanos();
        stream.worker("rebooting the guest");
        // the connection may drop before `reboot` reports back: its exit status does not matter
        runCommand("reboot", WORKER_COMMAND_TIMEOUT, null);
        guest.disconnectSsh();
        while (true) {
            if (!guest.connectSsh(phaseDeadline.left())) {
                abort.checkStopped();
                throw new JobEnd(Verdict.FAILED, "the guest did not come back after the reboot within "
                        + seconds(phaseDeadline.allowed()) + " (phase REBOOT timeout)");
            }
            String now = capture(BOOT_ID);
            // the old system may still answer (or half answer) for a moment after `reboot`: only a readable, new
            // boot id means the guest is back
            if (now != null && (bootId == null || !now.equals(bootId))) break;
            guest.disconnectSsh();
            ticker.sleep(retryInterval);
        }
        stream.worker("guest back after the reboot in " + ticker.millisSince(t0) + " ms");
    }

    /** Runs a command for the worker's own use; its output is not streamed. Null when it fails. */
    private String capture(String command) {
        StringBuilder out = new StringBuilder();
        LineAssembler stdout = new LineAssembler((b, len, cont) -> out.append(new String(b, 0, len, StandardCharsets.UTF_8)));
        LineAssembler stderr = new LineAssembler((b, len, cont) -> { });
        ExecResult r = guest.exec(command, WORKER_COMMAND_TIMEOUT, stdout, stderr);
        if (!r.succeeded()) LOG.warn("'{}' failed: exit {} {}", command, r.exitCode(), r.problem());
        return r.succeeded() ? out.toString().strip() : null;
    }

    /** A console step that must succeed: ends the job with {@code verdict} when its pattern does not come. */
    private void requireOnConsole(ConsoleStep step, String what, Verdict verdict) throws JobEnd, InterruptedException {
        if (!onConsole(step, what)) {
            throw new JobEnd(verdict, what + ": /" + step.expect() + "/ did not appear on the console within "
                    + seconds(step.timeout()));
        }
    }

    /**
     * Waits for the step's pattern within its own timeout and what is left of the phase, then types its text.
     *
     * @return whether the pattern came (true for a step that only types)
     * @throws JobEnd when the phase ran out, the job was stopped, or the console took no input
     */
    private boolean onConsole(ConsoleStep step, String what) throws JobEnd, InterruptedException {
        abort.checkStopped();
        if (phaseDeadline.passed()) throw timeout(what, step.timeout());
        if (step.expect() != null) {
            Deadline wait = phaseDeadline.within(step.timeout());
            stream.worker("console: waiting for /" + step.expect() + "/ (" + seconds(wait.left()) + ")");
            boolean matched = guest.awaitConsole(Pattern.compile(step.expect()), wait.left());
            abort.checkStopped();
            if (!matched && phaseDeadline.nearlyPassed(PHASE_END_SLACK)) throw timeout(what, step.timeout());
            if (!matched) return false;
        }
        if (step.send() != null) {
            stream.worker("console: typing " + ConsoleStep.quoted(step.send()));
            try {
                guest.typeOnConsole(step.send());
            } catch (IOException e) {
                abort.checkStopped();
                throw new JobEnd(Verdict.ERROR, what + ": " + e.getMessage());
            }
        }
        return true;
    }

    private boolean runTest(TestSpec test) throws JobEnd, InterruptedException {
        TestEvaluation.Run run = tests.start(test);
        if (test.console() != null) {
            boolean matched = onConsole(test.console(), "test '" + test.name() + "'");
            return run.finish(matched ? "" : "/" + test.console().expect() + "/ did not appear on the console within "
                    + seconds(test.console().timeout()));
        }
        ExecResult r = runCommand(test.run(), test.timeout(), run.tap());
        boolean passed = run.finish(r);
        if (r.timedOut() && phaseDeadline.passed()) throw timeout("test '" + test.name() + "'", test.timeout());
        return passed;
    }

    /** Runs a command within both its own timeout and what is left of the phase; streams its output. */
    private ExecResult runCommand(String command, Duration timeout, JobStream.Tap tap) throws JobEnd {
        abort.checkStopped();
        if (phaseDeadline.passed()) throw timeout("'" + command + "'", timeout);
        Duration left = phaseDeadline.left();
        Duration effective = timeout.compareTo(left) < 0 ? timeout : left;
        stream.worker("$ " + command);
        ExecResult r = guest.exec(command, effective, stream.assembler(LineSource.SSH_STDOUT, tap),
                stream.assembler(LineSource.SSH_STDERR, tap));
        abort.checkStopped();
        return r;
    }

    /** The phase's own timeout wins over the command's when the phase ran out first. */
    private JobEnd timeout(String what, Duration own) {
        if (phaseDeadline.nearlyPassed(PHASE_END_SLACK)) {
            return new JobEnd(Verdict.FAILED, "phase " + phase + " timed out after " + seconds(phaseDeadline.allowed()));
        }
        return new JobEnd(Verdict.FAILED, what + " timed out after " + seconds(own));
    }

    private void enter(Phase next) {
        closePhase();
        phase = next;
        phaseDeadline = Deadline.in(ticker, profile.timeout(next));
        stream.phase(next);
        stream.event(new PhaseChanged(stream.jobId(), stream.attempt(), clock.instant(), stream.runId(), next));
    }

    /** Adds the current phase's time so far to its total; the job's end (after the cleanup) calls it last. */
    void closePhase() {
        if (phaseDeadline != null) phaseMillis.merge(phase, ticker.millisSince(phaseDeadline.startNanos()), Long::sum);
        phaseDeadline = null;
    }

    /** The phase the script is in, or ended in. */
    Phase phase() {
        return phase;
    }

    /** How long each phase entered so far took, in milliseconds. */
    Map<Phase, Long> phaseMillis() {
        return Map.copyOf(phaseMillis);
    }

    static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
