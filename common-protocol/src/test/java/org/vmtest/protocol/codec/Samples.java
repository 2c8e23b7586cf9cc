package org.vmtest.protocol.codec;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.vmtest.protocol.Accelerator;
import org.vmtest.protocol.Action;
import org.vmtest.protocol.Category;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.control.AbortJob;
import org.vmtest.protocol.control.CancelJob;
import org.vmtest.protocol.dlq.DeadLetter;
import org.vmtest.protocol.jobs.ArtifactSpec;
import org.vmtest.protocol.jobs.JobRequested;
import org.vmtest.protocol.jobs.PatternSpec;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.protocol.jobs.SshSpec;
import org.vmtest.protocol.jobs.Step;
import org.vmtest.protocol.jobs.TestSpec;
import org.vmtest.protocol.jobs.VmSpec;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.JobStarted;
import org.vmtest.protocol.stream.Line;
import org.vmtest.protocol.stream.PhaseChanged;
import org.vmtest.protocol.stream.TestFinished;
import org.vmtest.protocol.issues.KnownIssue;
import org.vmtest.protocol.issues.KnownIssueMatch;
import org.vmtest.protocol.verdicts.FailureAnalysis;
import org.vmtest.protocol.verdicts.KnownIssueRef;
import org.vmtest.protocol.verdicts.SubtestResult;
import org.vmtest.protocol.verdicts.TestOutcome;
import org.vmtest.protocol.verdicts.Finding;
import org.vmtest.protocol.verdicts.JobVerdict;
import org.vmtest.protocol.verdicts.RunVerdict;
import org.vmtest.protocol.verdicts.Thought;
import org.vmtest.protocol.workers.WorkerStatus;

/** One fully populated example of every record on the wire. */
final class Samples {
    static final Instant T = Instant.parse("2026-11-25T10:15:30.123Z");

    private Samples() {
    }

    static PatternSpec pattern() {
        return new PatternSpec("custom.oops", "my-service: (?<what>fatal .*)", Category.CRITICAL, Action.ABORT,
                "my-service ${what}", List.of(Phase.INSTALLATION), List.of(LineSource.CONSOLE), null);
    }

    static Profile profile() {
        return new Profile("pass", "boots and passes",
                new VmSpec(512, 2, "vmlinuz", "initrd.img", "console=ttyS0", null, "base.qcow2", VmSpec.Firmware.BIOS,
                        Accelerator.TCG, VmSpec.Network.OUTBOUND),
                new SshSpec("root", 22, SshSpec.KeyDelivery.KERNEL_CMDLINE, null, Duration.ofMinutes(3)),
                List.of(new Step("install", "vmtest-install", Duration.ofMinutes(3))),
                true,
                List.of(new TestSpec("selftest", "vmtest-selftest", 0, "selftest: ok", Duration.ofSeconds(30)),
                        new TestSpec("suite", "prove -v", 0, null, Duration.ofMinutes(1), TestSpec.Results.TAP)),
                Map.of(Phase.INSTALLATION, Duration.ofMinutes(5)),
                Map.of(Phase.INSTALLATION, Duration.ofSeconds(60)),
                2,
                List.of(pattern()));
    }

    static List<Object> all() {
        FailureAnalysis failure = new FailureAnalysis("Kernel panic - not syncing: sysrq triggered crash", "a1b2c3d4e5f6",
                "kernel.panic", Phase.INSTALLATION, "Kernel panic - not syncing: sysrq triggered crash",
                List.of("Kernel panic - not syncing: sysrq triggered crash", "CPU: 0 PID: 1 Comm: sh"),
                List.of("vmtest-install: [ 50%] copying files"));
        return List.of(
                new JobRequested("j-1", "r-1", profile(), Map.of("commit", "abc123"), T),
                new JobRequested("j-2", "r-1", profile(), Map.of(), T, Map.of("disk", new ArtifactSpec(
                        "https://ci.example/nixos.qcow2.zst", "AB".repeat(32), 1234L, Map.of("Authorization", "Bearer t"),
                        null))),
                new JobRequested("j-3", "r-1", profile(), Map.of(), T, Map.of(), List.of("s3cret-value")),
                new Line("j-1", 1, 42, LineSource.CONSOLE, Phase.INSTALLATION, T, "vmtest-install: [ 50%]\tcopying", false),
                new JobStarted("j-1", 1, T, "r-1", "pass", "host-a", "vmtest-host-a-j-1-a1", "tcg",
                        Map.of(Phase.INSTALLATION, Duration.ofSeconds(60)), List.of(pattern())),
                new PhaseChanged("j-1", 1, T, "r-1", Phase.REBOOT),
                new TestFinished("j-1", 1, T, "r-1", "selftest", false, 1, 1234, "exit 1, expected 0", "selftest: FAILED"),
                new JobFinished("j-1", 1, T, "r-1", Verdict.FAILED, "test selftest failed", Phase.TESTING,
                        Map.of(Phase.PROVISIONING, 8000L, Phase.TESTING, 1500L), "host-a"),
                new Finding("r-1", "j-1", 1, T, "kernel.panic", Category.CRITICAL, Action.ABORT,
                        "Kernel panic - not syncing: sysrq triggered crash", "a1b2c3d4e5f6", Phase.INSTALLATION,
                        LineSource.CONSOLE, 312, "Kernel panic - not syncing: sysrq triggered crash",
                        List.of("Kernel panic - not syncing: sysrq triggered crash"), null, null),
                new Finding("r-1", "j-1", 1, T, "metric.boot", Category.METRIC, Action.NOTE, "boot took 3.2s", "",
                        Phase.PROVISIONING, LineSource.CONSOLE, 7, "vmtest-guest: boot took 3.2s", List.of(), 3.2, "s"),
                new Thought("r-1", "j-1", T, "line 312: Kernel panic - not syncing", "abort",
                        "a critical finding during INSTALLATION: nothing useful can follow"),
                new JobVerdict("r-1", "j-1", 1, T, "panic", Verdict.ABORTED, "kernel panic", failure,
                        List.of("Kernel panic - not syncing: sysrq triggered crash"), Map.of("boot.seconds", 3.2), 0, 0),
                new RunVerdict("r-1", T, Verdict.ABORTED, Map.of("j-1", Verdict.ABORTED, "j-2", Verdict.PASSED),
                        Map.of("commit", "abc123")),
                new Finding("r-1", "j-1", 1, T, "kernel.panic", Category.CRITICAL, Action.ABORT, "Kernel panic",
                        "a1b2c3d4e5f6", Phase.INSTALLATION, LineSource.CONSOLE, 312, "Kernel panic", List.of(), null,
                        null, new KnownIssueRef("bug-1234", "https://bugs.example/1234")),
                new JobVerdict("r-1", "j-2", 1, T, "test-fail", Verdict.FAILED, "1 test failed",
                        failure.withKnownIssue(new KnownIssueRef("bug-1234", "https://bugs.example/1234")),
                        List.of(), Map.of(), 1, 1, List.of(
                                new TestOutcome("boot", true, "", List.of()),
                                new TestOutcome("suite", false, "subtest 2 disk full failed: no space", List.of(
                                        new SubtestResult("1 mount", true, false, ""),
                                        new SubtestResult("2 disk full", false, false, "no space"),
                                        new SubtestResult("3 net", true, true, "no network"))))),
                new RunVerdict("r-2", T, Verdict.FAILED, Map.of("j-2", Verdict.FAILED), Map.of(), true),
                new KnownIssue("bug-1234", KnownIssueMatch.signature("a1b2c3d4e5f6"), List.of("panic"),
                        "https://bugs.example/1234", "sysrq crash in the test guest", T, T),
                new KnownIssue("flaky-net", KnownIssueMatch.titleRegex("^test net failed"), List.of(), "", "", null, T),
                new AbortJob("j-1", "r-1", T, "kernel panic", "kernel.panic", 312),
                new CancelJob("j-2", "r-1", T, "cancelled by user"),
                new WorkerStatus("host-a", T, WorkerStatus.State.RUNNING, 2, List.of("j-1"), "tcg", "9.0.0", "7.2.19", "host-a"),
                new DeadLetter("vmtest.stream", 3, 1234, "analyzer", T, "StreamEvent: Unexpected character", "AAEC"));
    }
}
