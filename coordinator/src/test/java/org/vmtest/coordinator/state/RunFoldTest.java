package org.vmtest.coordinator.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vmtest.coordinator.api.Run;
import org.vmtest.coordinator.api.RunStatus;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.runs.RunCancelled;
import org.vmtest.protocol.runs.RunSubmitted;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.JobStarted;
import org.vmtest.protocol.stream.PhaseChanged;
import org.vmtest.protocol.verdicts.FailureAnalysis;
import org.vmtest.protocol.verdicts.JobVerdict;
import org.vmtest.protocol.verdicts.KnownIssueRef;
import org.vmtest.protocol.verdicts.SubtestResult;
import org.vmtest.protocol.verdicts.TestOutcome;
import org.vmtest.protocol.stream.TestFinished;

class RunFoldTest {
    private static final Instant T0 = Instant.parse("2030-01-01T10:00:00Z");

    private static Run apply(Run run, RunInput... inputs) {
        for (RunInput input : inputs) run = RunFold.apply(run, input).run();
        return run;
    }

    private static RunInput submitted(String... jobs) {
        return new RunInput.Command(new RunSubmitted("r1", T0, java.util.Arrays.stream(jobs)
                .map(j -> new RunSubmitted.JobRef(j, "pass")).toList(), Map.of()));
    }

    private static RunInput verdict(String job, Verdict v, Instant t) {
        return new RunInput.Verdict(new JobVerdict("r1", job, 1, t, "pass", v, "why", null, List.of(), Map.of(), 0, 0));
    }

    @Test
    void aVerdictThatOvertakesTheLifecycleKeepsItsPlaceAndTheHistoryIsFilledIn() {
        Run run = apply(RunFold.empty("r1"), submitted("j1", "j2"),
                verdict("j1", Verdict.PASSED, T0.plusSeconds(9)),
                new RunInput.Lifecycle(new JobStarted("j1", 1, T0.plusSeconds(1), "r1", "pass", "w1", "d", "tcg", Map.of(), List.of())),
                new RunInput.Lifecycle(new PhaseChanged("j1", 1, T0.plusSeconds(2), "r1", Phase.INSTALLATION)),
                new RunInput.Lifecycle(new JobFinished("j1", 1, T0.plusSeconds(8), "r1", Verdict.PASSED, "", Phase.INSTALLATION, Map.of(), "w1")));

        assertThat(run.state()).isEqualTo(RunStatus.RUNNING);
        assertThat(run.jobs().get(0).verdict()).isEqualTo(Verdict.PASSED);
        assertThat(run.jobs().get(0).worker()).isEqualTo("w1");
        assertThat(run.jobs().get(0).phases()).extracting(p -> p.name()).containsExactly(Phase.PROVISIONING, Phase.INSTALLATION);
        assertThat(run.jobs().get(0).phases()).allSatisfy(p -> assertThat(p.end()).isNotNull());
    }

    @Test
    void lifecycleBeforeTheSubmissionIsKeptAndTheVerdictWaitsForTheSubmission() {
        RunFold.Step early = RunFold.apply(RunFold.empty("r1"), verdict("j1", Verdict.FAILED, T0));
        assertThat(early.verdict()).isEmpty();

        RunFold.Step step = RunFold.apply(early.run(), submitted("j1"));

        assertThat(step.verdict()).hasValueSatisfying(v -> assertThat(v.verdict()).isEqualTo(Verdict.FAILED));
        assertThat(step.run().state()).isEqualTo(RunStatus.DONE);
        assertThat(RunFold.apply(step.run(), verdict("j1", Verdict.PASSED, T0.plusSeconds(1))).verdict())
                .as("a run's verdict is emitted once").isEmpty();
    }

    @Test
    void cancellingEndsJobsNoWorkerTookAndWaitsForRunningOnes() {
        Run run = apply(RunFold.empty("r1"), submitted("j1", "j2"),
                new RunInput.Lifecycle(new JobStarted("j1", 1, T0, "r1", "pass", "w1", "d", "tcg", Map.of(), List.of())));

        RunFold.Step step = RunFold.apply(run, new RunInput.Command(new RunCancelled("r1", T0.plusSeconds(1), "")));

        assertThat(step.run().state()).isEqualTo(RunStatus.CANCELLED);
        assertThat(step.run().jobs().get(1).verdict()).isEqualTo(Verdict.ABORTED);
        assertThat(step.verdict()).isEmpty();
        RunFold.Step done = RunFold.apply(step.run(), verdict("j1", Verdict.ABORTED, T0.plusSeconds(2)));
        assertThat(done.verdict()).hasValueSatisfying(v -> assertThat(v.verdict()).isEqualTo(Verdict.ABORTED));
        assertThat(done.run().state()).isEqualTo(RunStatus.CANCELLED);
    }

    private static RunInput failedWith(String job, KnownIssueRef issue) {
        FailureAnalysis failure = new FailureAnalysis("test selftest failed", "abc", "test", Phase.TESTING, "", null,
                null, issue);
        return new RunInput.Verdict(new JobVerdict("r1", job, 1, T0, "pass", Verdict.FAILED, "why", failure,
                List.of(), Map.of(), 0, 1));
    }

    @Test
    void aRunIsAllFailuresKnownOnlyWhenEveryJobThatDidNotPassHasAKnownIssue() {
        KnownIssueRef bug = new KnownIssueRef("bug-1", "https://bugs.example/1");

        RunFold.Step known = RunFold.apply(apply(RunFold.empty("r1"), submitted("j1", "j2", "j3"),
                failedWith("j1", bug), verdict("j2", Verdict.PASSED, T0)), failedWith("j3", bug));
        RunFold.Step partly = RunFold.apply(apply(RunFold.empty("r1"), submitted("j1", "j2"),
                failedWith("j1", bug)), failedWith("j2", null));
        RunFold.Step passed = RunFold.apply(apply(RunFold.empty("r1"), submitted("j1")), verdict("j1", Verdict.PASSED, T0));

        assertThat(known.verdict()).hasValueSatisfying(v -> assertThat(v.allFailuresKnown()).isTrue());
        assertThat(known.run().allFailuresKnown()).isTrue();
        assertThat(partly.verdict()).hasValueSatisfying(v -> assertThat(v.allFailuresKnown()).isFalse());
        assertThat(passed.verdict()).hasValueSatisfying(v -> assertThat(v.allFailuresKnown())
                .as("nothing failed, so nothing is a known failure").isFalse());
        Run later = RunFold.apply(known.run(), new RunInput.Lifecycle(new JobFinished("j1", 1, T0.plusSeconds(5), "r1",
                Verdict.FAILED, "", Phase.TESTING, Map.of(), "w1"))).run();
        assertThat(later.allFailuresKnown()).as("kept when the lifecycle arrives after the verdict").isTrue();
    }

    @Test
    void theVerdictsTestOutcomesReplaceTheToldTestsWithTheirSubtests() {
        List<SubtestResult> subtests = List.of(new SubtestResult("mount", true, false, ""),
                new SubtestResult("disk full", false, false, "no space left"));
        RunInput told = new RunInput.Lifecycle(new TestFinished("j1", 1, T0, "r1", "suite", true, 0, 1500, "", ""));
        RunInput verdict = new RunInput.Verdict(new JobVerdict("r1", "j1", 1, T0, "pass", Verdict.FAILED, "1 test failed",
                null, List.of(), Map.of(), 0, 1, List.of(new TestOutcome("suite", false,
                        "subtest disk full failed: no space left", subtests))));

        Run inOrder = apply(RunFold.empty("r1"), submitted("j1"), told, verdict);
        Run overtaken = apply(RunFold.empty("r1"), submitted("j1"), verdict, told);

        for (Run run : List.of(inOrder, overtaken)) {
            assertThat(run.jobs().get(0).tests()).singleElement().satisfies(t -> {
                assertThat(t.passed()).isFalse();
                assertThat(t.reason()).isEqualTo("subtest disk full failed: no space left");
                assertThat(t.subtests()).isEqualTo(subtests);
            });
        }
        assertThat(inOrder.jobs().get(0).tests().get(0).durationMillis()).isEqualTo(1500);
    }
}
