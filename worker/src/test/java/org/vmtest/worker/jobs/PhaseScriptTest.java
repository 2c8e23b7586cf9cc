package org.vmtest.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.control.AbortJob;
import org.vmtest.protocol.jobs.ConsoleSpec;
import org.vmtest.protocol.jobs.ConsoleStep;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.protocol.jobs.SshSpec;
import org.vmtest.protocol.jobs.Step;
import org.vmtest.protocol.jobs.TestSpec;
import org.vmtest.protocol.jobs.VmSpec;
import org.vmtest.protocol.stream.Line;
import org.vmtest.protocol.stream.PhaseChanged;
import org.vmtest.protocol.stream.StreamEvent;
import org.vmtest.protocol.stream.TestFinished;
import org.vmtest.worker.stream.JobStream;

/** The phase script against a fake guest and a clock the test moves: timeouts, stalls, reboots, tests, aborts. */
class PhaseScriptTest {
    private static final InstantSource WALL = InstantSource.fixed(Instant.parse("2026-01-01T00:00:00Z"));
    private static final VmSpec VM = new VmSpec(256, 1, "/images/kernel", null, "", null, null, null, null, null);

    private final ManualTicker ticker = new ManualTicker();
    private final FakeGuestSession guest = new FakeGuestSession(ticker);
    private final List<StreamEvent> events = new CopyOnWriteArrayList<>();
    private final JobStream stream = new JobStream((jobId, event) -> events.add(event), "job-1", "run-1", 1, WALL);
    private final List<long[]> recordedAborts = new CopyOnWriteArrayList<>();
    private final AbortHandle handle = new AbortHandle("job-1", "fake", guest, WALL,
            (stopped, gone) -> recordedAborts.add(new long[] {stopped, gone}));
    private PhaseScript script;

    // --- builders

    private static Profile profile(List<Step> install, boolean reboot, List<TestSpec> tests, Map<Phase, Duration> timeouts) {
        return profile(install, reboot, tests, timeouts, SshSpec.DEFAULT);
    }

    private static Profile profile(List<Step> install, boolean reboot, List<TestSpec> tests,
                                   Map<Phase, Duration> timeouts, SshSpec ssh) {
        return new Profile("p", "", VM, ssh, install, reboot, tests, timeouts, Map.of(), 0, List.of());
    }

    private static Step step(String name, String run, Duration timeout) {
        return new Step(name, run, timeout);
    }

    private static TestSpec test(String name, String run, int expectExit, String expectOutput, Duration timeout) {
        return new TestSpec(name, run, expectExit, expectOutput, timeout);
    }

    private static Map<Phase, Duration> timeout(Phase phase, Duration d) {
        Map<Phase, Duration> m = new EnumMap<>(Phase.class);
        m.put(phase, d);
        return m;
    }

    private ScriptResult run(Profile profile) {
        script = new PhaseScript(profile, guest, handle, stream, WALL, ticker, Duration.ofSeconds(1));
        return script.run();
    }

    private List<Phase> phasesEntered() {
        return events.stream().filter(e -> e instanceof PhaseChanged).map(e -> ((PhaseChanged) e).phase()).toList();
    }

    private List<TestFinished> testsFinished() {
        return events.stream().filter(e -> e instanceof TestFinished).map(e -> (TestFinished) e).toList();
    }

    private List<String> workerLines() {
        return events.stream().filter(e -> e instanceof Line l && l.source() == LineSource.WORKER)
                .map(e -> ((Line) e).text()).toList();
    }

    // --- the whole script

    @Test
    void passingProfileGoesThroughEveryPhaseInOrderAndPasses() {
        guest.answer("make install", 0, "").answer("selftest", 0, "all good\n");
        ScriptResult result = run(profile(List.of(step("build", "make install", Duration.ofMinutes(1))), true,
                List.of(test("selftest", "selftest", 0, "all good", Duration.ofMinutes(1))), Map.of()));

        assertThat(result).isEqualTo(new ScriptResult.Passed());
        assertThat(phasesEntered()).containsExactly(Phase.PROVISIONING, Phase.INSTALLATION, Phase.REBOOT,
                Phase.TESTING, Phase.REPORTING);
        assertThat(testsFinished()).singleElement().satisfies(t -> {
            assertThat(t.passed()).isTrue();
            assertThat(t.outputTail()).isEqualTo("all good");
        });
        script.closePhase();
        assertThat(script.phaseMillis()).containsKeys(Phase.PROVISIONING, Phase.INSTALLATION, Phase.REBOOT,
                Phase.TESTING, Phase.REPORTING);
        assertThat(workerLines()).contains("domain fake started (tcg) in 400 ms, ssh on 127.0.0.1:2222");
    }

    @Test
    void theBootTimeLeavesOutTheArtifactFetch() {
        guest.fetchesArtifactsFor(Duration.ofMillis(2500)).answer("selftest", 0, "all good\n");
        run(profile(List.of(), false, List.of(test("selftest", "selftest", 0, "all good", Duration.ofMinutes(1))),
                Map.of()));

        assertThat(workerLines()).contains("domain fake started (tcg) in 400 ms, after fetching its artifacts in 2500 ms,"
                + " ssh on 127.0.0.1:2222", "provisioning: domain create 0.40 s, boot to SSH 0.10 s");
    }

    @Test
    void phaseTimesAreMeasuredOnTheInjectedClock() {
        guest.takes("make install", Duration.ofSeconds(42));
        run(profile(List.of(step("build", "make install", Duration.ofMinutes(1))), false, List.of(), Map.of()));
        script.closePhase();

        assertThat(script.phaseMillis().get(Phase.INSTALLATION)).isEqualTo(42_000L);
    }

    // --- phase timeouts and stalls

    @Test
    void installStepThatStallsPastThePhaseEndsItWithThePhaseTimeout() {
        guest.hangs("make install");
        ScriptResult result = run(profile(List.of(step("build", "make install", Duration.ofMinutes(10))), false,
                List.of(), timeout(Phase.INSTALLATION, Duration.ofMinutes(5))));

        assertThat(result).isEqualTo(new ScriptResult.Ended(Verdict.FAILED, "phase INSTALLATION timed out after 300 s"));
        assertThat(script.phase()).isEqualTo(Phase.INSTALLATION);
    }

    @Test
    void installStepThatStallsPastItsOwnTimeoutIsNamed() {
        guest.hangs("make install");
        ScriptResult result = run(profile(List.of(step("build", "make install", Duration.ofSeconds(30))), false,
                List.of(), Map.of()));

        assertThat(result).isEqualTo(new ScriptResult.Ended(Verdict.FAILED, "install step 'build' timed out after 30 s"));
    }

    @Test
    void stepsThatUseUpThePhaseLeaveNoTimeForTheNextOne() {
        guest.takes("one", Duration.ofSeconds(60)).answer("two", 0, "");
        ScriptResult result = run(profile(List.of(step("one", "one", Duration.ofMinutes(5)),
                step("two", "two", Duration.ofMinutes(5))), false, List.of(), timeout(Phase.INSTALLATION,
                Duration.ofSeconds(60))));

        assertThat(result).isEqualTo(new ScriptResult.Ended(Verdict.FAILED, "phase INSTALLATION timed out after 60 s"));
        assertThat(guest.commands).doesNotContain("two");
    }

    @Test
    void installStepExitingNonZeroFailsTheJobWithItsStatus() {
        guest.answer("make install", 2, "");
        ScriptResult result = run(profile(List.of(step("build", "make install", Duration.ofMinutes(1)),
                step("after", "true", Duration.ofMinutes(1))), false, List.of(), Map.of()));

        assertThat(result).isEqualTo(new ScriptResult.Ended(Verdict.FAILED, "install step 'build' exited with 2"));
        assertThat(guest.commands).doesNotContain("true");
    }

    @Test
    void sshThatNeverAnswersEndsProvisioningAtTheConnectTimeout() {
        guest.sshNeverAnswers();
        ScriptResult result = run(profile(List.of(), false, List.of(), Map.of(),
                new SshSpec(null, 0, null, null, Duration.ofSeconds(90))));

        assertThat(result).isEqualTo(new ScriptResult.Ended(Verdict.ERROR, "SSH never answered within 90 s"));
        assertThat(guest.connectWaits).containsExactly(Duration.ofSeconds(90));
    }

    @Test
    void sshWaitEndsWithTheProvisioningPhaseWhenThatIsShorter() {
        guest.sshNeverAnswers();
        ScriptResult result = run(profile(List.of(), false, List.of(), timeout(Phase.PROVISIONING, Duration.ofSeconds(20)),
                new SshSpec(null, 0, null, null, Duration.ofSeconds(90))));

        // the domain took 400 ms to start: what is left of the phase is the wait
        assertThat(guest.connectWaits).containsExactly(Duration.ofMillis(19_600));
        assertThat(result).isEqualTo(new ScriptResult.Ended(Verdict.ERROR, "SSH never answered within 19.6 s"));
    }

    @Test
    void vmThatCannotStartEndsTheJobAsError() {
        guest.failsToStart("no such image");
        ScriptResult result = run(profile(List.of(), false, List.of(), Map.of()));

        assertThat(result).isEqualTo(new ScriptResult.Ended(Verdict.ERROR, "VM could not start: no such image"));
    }

    // --- reboot detection

    @Test
    void rebootWaitsUntilAGuestWithANewBootIdAnswers() {
        guest.oldSystemAnswersAfterReboot(2);
        ScriptResult result = run(profile(List.of(), true, List.of(), Map.of()));

        assertThat(result).isEqualTo(new ScriptResult.Passed());
        assertThat(guest.bootNumber()).isEqualTo(2);
        // once before the reboot, twice from the old system, once from the new
        assertThat(guest.commands.stream().filter(FakeGuestSession.BOOT_ID::equals)).hasSize(4);
        assertThat(workerLines()).anyMatch(l -> l.startsWith("guest back after the reboot in "));
    }

    @Test
    void guestThatNeverComesBackFailsTheRebootPhaseAtItsTimeout() {
        guest.neverComesBackAfterReboot();
        ScriptResult result = run(profile(List.of(), true, List.of(test("t", "true", 0, null, null)),
                timeout(Phase.REBOOT, Duration.ofMinutes(3))));

        assertThat(result).isEqualTo(new ScriptResult.Ended(Verdict.FAILED,
                "the guest did not come back after the reboot within 180 s (phase REBOOT timeout)"));
        assertThat(phasesEntered()).doesNotContain(Phase.TESTING);
    }

    // --- test evaluation

    @Test
    void eachTestIsJudgedByExitStatusAndOutputAndTheFailuresAreNamed() {
        guest.answer("ok", 0, "version 1.2\n")
                .answer("wrong-exit", 1, "")
                .answer("wrong-output", 0, "version 0.9\n")
                .answer("expects-3", 3, "")
                .losesConnection("dropped");
        ScriptResult result = run(profile(List.of(), false, List.of(
                test("ok", "ok", 0, "^version 1\\.", null),
                test("wrong-exit", "wrong-exit", 0, null, null),
                test("wrong-output", "wrong-output", 0, "^version 1\\.", null),
                test("expects-3", "expects-3", 3, null, null),
                test("dropped", "dropped", 0, null, null)), Map.of()));

        assertThat(result).isEqualTo(new ScriptResult.TestsFailed(List.of("wrong-exit", "wrong-output", "dropped"), 5));
        assertThat(result.reason()).isEqualTo("3 of 5 tests failed: wrong-exit, wrong-output, dropped");
        assertThat(testsFinished()).extracting(TestFinished::name, TestFinished::passed, TestFinished::reason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("ok", true, ""),
                        org.assertj.core.groups.Tuple.tuple("wrong-exit", false, "exit status 1, expected 0"),
                        org.assertj.core.groups.Tuple.tuple("wrong-output", false, "output does not match /^version 1\\./"),
                        org.assertj.core.groups.Tuple.tuple("expects-3", true, ""),
                        org.assertj.core.groups.Tuple.tuple("dropped", false, "no exit status: connection lost"));
    }

    @Test
    void testThatStallsPastItsTimeoutFailsAndTheNextTestStillRuns() {
        guest.hangs("stuck").answer("next", 0, "");
        ScriptResult result = run(profile(List.of(), false, List.of(
                test("stuck", "stuck", 0, null, Duration.ofSeconds(20)),
                test("next", "next", 0, null, null)), Map.of()));

        assertThat(result).isEqualTo(new ScriptResult.TestsFailed(List.of("stuck"), 2));
        assertThat(testsFinished()).extracting(TestFinished::reason).containsExactly("timed out after 20 s", "");
        assertThat(testsFinished().get(0).durationMillis()).isEqualTo(20_000L);
    }

    @Test
    void testThatStallsPastThePhaseEndsTheJobWithThePhaseTimeout() {
        guest.hangs("stuck").answer("next", 0, "");
        ScriptResult result = run(profile(List.of(), false, List.of(
                test("stuck", "stuck", 0, null, Duration.ofMinutes(30)),
                test("next", "next", 0, null, null)), timeout(Phase.TESTING, Duration.ofMinutes(2))));

        assertThat(result).isEqualTo(new ScriptResult.Ended(Verdict.FAILED, "phase TESTING timed out after 120 s"));
        assertThat(testsFinished()).singleElement().extracting(TestFinished::reason).isEqualTo("timed out after 120 s");
        assertThat(guest.commands).doesNotContain("next");
    }

    // --- aborts and releases

    private void abortNow() {
        handle.abort(new AbortJob("job-1", "run-1", WALL.instant(), "kernel panic", "panic", 7), WALL.millis());
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"PROVISIONING", "INSTALLATION", "REBOOT", "TESTING"})
    void abortInAnyPhaseEndsTheScriptAbortedThere(Phase at) {
        switch (at) {
            case PROVISIONING -> guest.whilePoweringOn(this::abortNow);
            case INSTALLATION -> guest.whenRunning("make install", this::abortNow);
            case REBOOT -> guest.whenRunning("reboot", this::abortNow);
            case TESTING -> guest.whenRunning("selftest", this::abortNow);
            default -> throw new AssertionError(at);
        }
        guest.answer("make install", 0, "").answer("selftest", 0, "");
        ScriptResult result = run(profile(List.of(step("build", "make install", null)), true,
                List.of(test("selftest", "selftest", 0, null, null)), Map.of()));

        assertThat(result).isEqualTo(new ScriptResult.Ended(Verdict.ABORTED, "aborted: kernel panic"));
        assertThat(script.phase()).isEqualTo(at);
        assertThat(phasesEntered()).endsWith(at);
        assertThat(guest.paused()).as("paused at once").isTrue();
        assertThat(guest.hungUp()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(guest::destroyed);
        assertThat(handle.account()).startsWith(" (VM stopped ");
        assertThat(recordedAborts).hasSize(1);
    }

    @Test
    void abortAfterTheScriptEndedIsAccountedOnce() {
        ScriptResult result = run(profile(List.of(), false, List.of(), Map.of()));
        assertThat(result).isEqualTo(new ScriptResult.Passed());
        guest.destroy();
        abortNow();
        abortNow();

        assertThat(handle.aborted()).isTrue();
        assertThat(handle.account()).contains("domain destroyed");
        assertThat(recordedAborts).hasSize(1);
    }

    @Test
    void releaseDestroysTheGuestWithoutPausingAndEndsTheScript() {
        guest.whenRunning("make install", handle::release).answer("make install", 0, "");
        ScriptResult result = run(profile(List.of(step("build", "make install", null)), false, List.of(), Map.of()));

        assertThat(result).isEqualTo(new ScriptResult.Ended(Verdict.ERROR, "released"));
        assertThat(handle.released()).isTrue();
        assertThat(guest.destroyed()).isTrue();
        assertThat(guest.paused()).isFalse();
        assertThat(new ArrayList<>(recordedAborts)).isEmpty();
    }

    // --- console steps and console key delivery

    private static Profile consoleProfile(List<Step> install, List<TestSpec> tests, Map<Phase, Duration> timeouts,
                                          ConsoleSpec console) {
        return new Profile("p", "", VM, new SshSpec(null, 0, SshSpec.KeyDelivery.CONSOLE, null, null), install, false,
                tests, timeouts, Map.of(), 0, List.of(), console);
    }

    private static final ConsoleSpec LOGIN = new ConsoleSpec(List.of(
            new ConsoleStep("login: $", "root\n", Duration.ofSeconds(30)),
            new ConsoleStep("# $", null, Duration.ofSeconds(10))), "dropbear -p 22");

    @Test
    void consoleKeyDeliveryLogsInInstallsTheKeyStartsSshThenGoesOnOverSsh() {
        guest.printsOnConsole("Debian GNU/Linux 12 guest ttyS0\n\nguest login: ")
                .answersOnConsole("^root\n$", "\nroot@guest:~# ")
                .answersOnConsole("authorized_keys", "\nvmtest-key-installed\n# ")
                .answersOnConsole("^dropbear -p 22;", "\nvmtest-ssh-started\n# ")
                .answer("selftest", 0, "");
        ScriptResult result = run(consoleProfile(List.of(), List.of(test("selftest", "selftest", 0, null, null)),
                Map.of(), LOGIN));

        assertThat(result).isEqualTo(new ScriptResult.Passed());
        assertThat(guest.typed).hasSize(3);
        assertThat(guest.typed.get(0)).isEqualTo("root\n");
        assertThat(guest.typed.get(1)).isEqualTo("umask 077; mkdir -p ~root/.ssh && echo 'ssh-ed25519 AAAAfake"
                + " vmtest-job-1' >> ~root/.ssh/authorized_keys && echo vmtest-key-\"installed\"\n");
        assertThat(guest.typed.get(2)).isEqualTo("dropbear -p 22; echo vmtest-ssh-\"started\"\n");
        assertThat(guest.commands).contains("selftest");
    }

    @Test
    void theEchoOfTheTypedKeyCommandIsNotTakenForItsAnswer() {
        // a guest that echoes what is typed and never runs it: the marker must not match the echo
        guest.printsOnConsole("login: ").answersOnConsole("^root\n$", "# ");
        ScriptResult result = run(consoleProfile(List.of(), List.of(), Map.of(), LOGIN));

        assertThat(result).isEqualTo(new ScriptResult.Ended(Verdict.ERROR,
                "installing the job's key on the console: /vmtest-key-installed/ did not appear on the console within 60 s"));
    }

    @Test
    void aLoginPromptThatNeverComesEndsProvisioningNamingTheStep() {
        guest.printsOnConsole("booting...\n");
        ScriptResult result = run(consoleProfile(List.of(), List.of(), Map.of(), LOGIN));

        assertThat(result).isEqualTo(new ScriptResult.Ended(Verdict.ERROR,
                "console login step 1: /login: $/ did not appear on the console within 30 s"));
        assertThat(guest.typed).isEmpty();
    }

    @Test
    void anInstallConsoleStepWhoseExpectNeverComesFailsTheInstallationAtItsTimeout() {
        guest.sshNeverAnswers();
        Profile p = new Profile("p", "", VM, new SshSpec(null, 0, SshSpec.KeyDelivery.NONE, null, null),
                List.of(new Step("wait for the installer", null, null,
                        new ConsoleStep("Installation complete", "install\n", Duration.ofSeconds(45)))),
                false, List.of(), Map.of(), Map.of(), 0, List.of());
        long before = ticker.nanos();
        ScriptResult result = run(p);

        assertThat(result).isEqualTo(new ScriptResult.Ended(Verdict.FAILED, "install step 'wait for the installer':"
                + " /Installation complete/ did not appear on the console within 45 s"));
        assertThat(Duration.ofNanos(ticker.nanos() - before)).isGreaterThanOrEqualTo(Duration.ofSeconds(45));
        assertThat(guest.typed).as("typed only once the expected text came").isEmpty();
    }

    @Test
    void aConsoleStepCutByThePhaseEndsWithThePhaseTimeout() {
        Profile p = new Profile("p", "", VM, new SshSpec(null, 0, SshSpec.KeyDelivery.NONE, null, null),
                List.of(new Step(null, null, null, new ConsoleStep("done", null, Duration.ofMinutes(20)))),
                false, List.of(), timeout(Phase.INSTALLATION, Duration.ofMinutes(2)), Map.of(), 0, List.of());
        ScriptResult result = run(p);

        assertThat(result).isEqualTo(new ScriptResult.Ended(Verdict.FAILED, "phase INSTALLATION timed out after 120 s"));
    }

    @Test
    void aConsoleTestPassesWhenItsPatternComesAndFailsNamingItWhenNot() {
        guest.printsOnConsole("Linux version 6.1\n");
        TestSpec passes = new TestSpec("kernel", null, 0, null, null, new ConsoleStep("Linux version", null, null));
        TestSpec fails = new TestSpec("banner", null, 0, null, null, new ConsoleStep("Welcome", null, Duration.ofSeconds(5)));
        ScriptResult result = run(new Profile("p", "", VM, new SshSpec(null, 0, SshSpec.KeyDelivery.NONE, null, null),
                List.of(), false, List.of(passes, fails), Map.of(), Map.of(), 0, List.of()));

        assertThat(result).isEqualTo(new ScriptResult.TestsFailed(List.of("banner"), 2));
        assertThat(testsFinished()).extracting(TestFinished::reason)
                .containsExactly("", "/Welcome/ did not appear on the console within 5 s");
    }

    @Test
    void abortWhileWaitingOnTheConsoleEndsAborted() {
        guest.printsOnConsole("login: ").whenTyping("root\n", this::abortNow);
        Profile p = consoleProfile(List.of(), List.of(), Map.of(), LOGIN);
        ScriptResult result = run(p);

        assertThat(result).isEqualTo(new ScriptResult.Ended(Verdict.ABORTED, "aborted: kernel panic"));
        assertThat(guest.paused()).isTrue();
    }
}
