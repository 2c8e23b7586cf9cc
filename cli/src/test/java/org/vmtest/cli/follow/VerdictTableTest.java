package org.vmtest.cli.follow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vmtest.cli.ExitCodes;
import org.vmtest.cli.client.RunView;
import org.vmtest.protocol.Verdict;

class VerdictTableTest {

    private static RunView runOf(Verdict... verdicts) {
        List<RunView.JobView> jobs = new java.util.ArrayList<>();
        for (int i = 0; i < verdicts.length; i++) {
            jobs.add(new RunView.JobView("j-" + i, "p" + i, "REPORTING", 1, "w", verdicts[i], "because " + i, null,
                    List.of(), List.of()));
        }
        Verdict run = java.util.Arrays.stream(verdicts).reduce(Verdict.PASSED, Verdict::worse);
        return new RunView("r-1", "DONE", run, Map.of(), null, jobs);
    }

    @Test
    void exitCodesFollowTheWorstJob() {
        assertThat(VerdictTable.exitCode(runOf(Verdict.PASSED, Verdict.PASSED))).isEqualTo(ExitCodes.OK);
        assertThat(VerdictTable.exitCode(runOf(Verdict.PASSED, Verdict.FAILED))).isEqualTo(ExitCodes.FAILED);
        assertThat(VerdictTable.exitCode(runOf(Verdict.ABORTED, Verdict.ERROR))).isEqualTo(ExitCodes.FAILED);
        assertThat(VerdictTable.exitCode(runOf(Verdict.PASSED, Verdict.ERROR))).isEqualTo(ExitCodes.INFRASTRUCTURE);
    }

    @Test
    void aRunWithoutVerdictIsAnInfrastructureError() {
        RunView pending = new RunView("r-1", "RUNNING", null, Map.of(), null, List.of());

        assertThat(VerdictTable.exitCode(pending)).isEqualTo(ExitCodes.INFRASTRUCTURE);
    }

    @Test
    void onGitHubActionsEveryJobThatDidNotPassIsAnErrorAnnotation() {
        StringWriter out = new StringWriter();

        VerdictTable.print(runOf(Verdict.PASSED, Verdict.FAILED), new PrintWriter(out), true);

        assertThat(out.toString()).contains("::error title=vmtest p1 FAILED::because 1")
                .doesNotContain("::error title=vmtest p0");
    }

    @Test
    void offGitHubActionsThereAreNoAnnotations() {
        StringWriter out = new StringWriter();

        VerdictTable.print(runOf(Verdict.FAILED), new PrintWriter(out), false);

        assertThat(out.toString()).doesNotContain("::error").contains("run r-1: FAILED");
    }

    @Test
    void onGitHubActionsAnnotationsStayWithinTheStepLimitAndTheLastCountsTheRest() {
        Verdict[] failed = new Verdict[14];
        java.util.Arrays.fill(failed, Verdict.FAILED);
        StringWriter out = new StringWriter();

        VerdictTable.print(runOf(failed), new PrintWriter(out), true);

        List<String> annotations = out.toString().lines().filter(l -> l.startsWith("::error")).toList();
        assertThat(annotations).hasSize(VerdictTable.MAX_ANNOTATIONS);
        assertThat(annotations.get(annotations.size() - 1))
                .isEqualTo("::error title=vmtest: 14 jobs did not pass::5 more not annotated here; the step summary"
                        + " lists every failure");
    }

    @Test
    void knownOkExitsZeroOnlyWhenEveryFailureIsKnownAndSaysSo() {
        RunView known = new RunView("r-1", "DONE", Verdict.FAILED, Map.of(), null, List.of(), true);
        RunView unknown = new RunView("r-2", "DONE", Verdict.FAILED, Map.of(), null, List.of(), false);
        StringWriter out = new StringWriter();

        assertThat(VerdictTable.exitCodeKnownOk(known, new PrintWriter(out))).isEqualTo(ExitCodes.OK);
        assertThat(VerdictTable.exitCodeKnownOk(unknown, new PrintWriter(out))).isEqualTo(ExitCodes.FAILED);
        assertThat(out.toString()).contains("run r-1: FAILED, but every failure is a known issue (--known-ok): exit 0")
                .doesNotContain("r-2");
    }
}
