package org.vmtest.analyzer.verdict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.vmtest.analyzer.verdict.VerdictRules.Facts;
import org.vmtest.protocol.Verdict;

class VerdictRulesTest {

    private static Verdict decide(Verdict outcome, boolean abortSent, boolean failFinding, int testsFailed) {
        return VerdictRules.decide(new Facts(outcome, abortSent, failFinding, testsFailed, "", "")).verdict();
    }

    @Test
    void cleanJobPasses() {
        var d = VerdictRules.decide(new Facts(Verdict.PASSED, false, false, 0, "", ""));
        assertThat(d.verdict()).isEqualTo(Verdict.PASSED);
        assertThat(d.reason()).contains("no test failed");
    }

    @Test
    void anAbortTheAnalyzerOrderedIsAbortedWhateverTheWorkerSays() {
        for (Verdict outcome : Verdict.values()) {
            assertThat(decide(outcome, true, false, 0)).as("worker said %s", outcome).isEqualTo(Verdict.ABORTED);
            assertThat(decide(outcome, true, true, 3)).as("worker said %s", outcome).isEqualTo(Verdict.ABORTED);
        }
    }

    @Test
    void theReasonQuotesTheFindingBehindTheVerdict() {
        assertThat(VerdictRules.decide(new Facts(Verdict.ABORTED, true, false, 0, "",
                "Kernel panic - not syncing: sysrq triggered crash")).reason())
                .isEqualTo("critical finding: Kernel panic - not syncing: sysrq triggered crash");
        assertThat(VerdictRules.decide(new Facts(Verdict.PASSED, false, true, 0, "", "selftest disk check failed")).reason())
                .isEqualTo("failure pattern matched: selftest disk check failed");
    }

    @Test
    void aJobTheWorkerStoppedEarlyIsAborted() {
        var d = VerdictRules.decide(new Facts(Verdict.ABORTED, false, false, 0, "cancelled by user", ""));
        assertThat(d.verdict()).isEqualTo(Verdict.ABORTED);
        assertThat(d.reason()).endsWith(": cancelled by user");
    }

    @Test
    void aFailurePatternFailsTheJobEvenIfTheWorkerSawNothingWrong() {
        assertThat(decide(Verdict.PASSED, false, true, 0)).isEqualTo(Verdict.FAILED);
    }

    @Test
    void aFailurePatternOutranksALaterInfrastructureError() {
        assertThat(decide(Verdict.ERROR, false, true, 0)).isEqualTo(Verdict.FAILED);
    }

    @Test
    void aFailedTestFailsTheJob() {
        var d = VerdictRules.decide(new Facts(Verdict.PASSED, false, false, 2, "", ""));
        assertThat(d.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(d.reason()).isEqualTo("2 tests failed");
        assertThat(decide(Verdict.FAILED, false, false, 1)).isEqualTo(Verdict.FAILED);
    }

    @Test
    void aWorkerFailureWithoutFindingsFailsTheJob() {
        assertThat(decide(Verdict.FAILED, false, false, 0)).isEqualTo(Verdict.FAILED);
    }

    @Test
    void anInfrastructureErrorIsNeverReportedAsAProductFailure() {
        var d = VerdictRules.decide(new Facts(Verdict.ERROR, false, false, 0, "SSH never came up", ""));
        assertThat(d.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(d.reason()).contains("infrastructure").contains("SSH never came up");
        // Tests whose connection died with the worker say nothing about the product either.
        assertThat(decide(Verdict.ERROR, false, false, 4)).isEqualTo(Verdict.ERROR);
    }

    @Test
    void factsRejectImpossibleCounts() {
        assertThatThrownBy(() -> new Facts(Verdict.PASSED, false, false, -1, "", ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("testsFailed");
    }
}
