package org.vmtest.cli.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.cli.client.RunView;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.verdicts.FailureAnalysis;
import org.vmtest.protocol.verdicts.KnownIssueRef;
import org.vmtest.protocol.verdicts.SubtestResult;

class GitHubSummaryTest {
    private static final URI COORDINATOR = URI.create("https://vmtest.example.org/");

    private static RunView.JobView job(String id, Verdict v, FailureAnalysis f, List<RunView.TestView> tests) {
        return new RunView.JobView(id, "p-" + id, "REPORTING", 1, "w", v, "reason of " + id, f, List.of(), tests);
    }

    @Test
    void theSummaryHasTheTableFailuresKnownIssuesAndLinksToTheWebView() {
        FailureAnalysis panic = new FailureAnalysis("Kernel panic - not syncing | <b>", "sig", "kernel.panic",
                Phase.INSTALLATION, "Kernel panic", List.of("Kernel panic", "```", "end"), List.of("before"),
                new KnownIssueRef("bug-7", "https://bugs.example.org/7"));
        RunView.TestView suite = new RunView.TestView("suite", false, 10, "subtest disk failed", List.of(
                new SubtestResult("disk", false, false, "no space")));
        RunView run = new RunView("r-1", "DONE", Verdict.ABORTED, Map.of(), null, List.of(
                job("j-1", Verdict.PASSED, null, List.of()),
                job("j-2", Verdict.ABORTED, panic, List.of()),
                job("j-3", Verdict.FAILED, null, List.of(suite))), false);

        String md = GitHubSummary.markdown(run, COORDINATOR);

        assertThat(md).contains("## vmtest run [r-1](https://vmtest.example.org/run.html?id=r-1): ❌ ABORTED")
                .contains("| [j-1](https://vmtest.example.org/run.html?id=r-1#job-j-1) | p-j-1 | ✅ PASSED | 1 |")
                .contains("Kernel panic - not syncing \\| &lt;b&gt; known issue [bug-7](https://bugs.example.org/7)")
                .contains("### Failures")
                .contains("- subtest suite / disk: no space")
                .contains("<details><summary>report (INSTALLATION)</summary>")
                .doesNotContain("<b>");
        assertThat(md.split("```", -1)).as("a report cannot close its own code fence").hasSize(3);
    }

    @Test
    void aLargeRunIsBoundedAndSaysWhatItLeftOut() {
        List<RunView.JobView> jobs = new ArrayList<>();
        for (int i = 0; i < GitHubSummary.MAX_ROWS + 5; i++) jobs.add(job("j-" + i, Verdict.FAILED, null, List.of()));

        String md = GitHubSummary.markdown(new RunView("r-1", "DONE", Verdict.FAILED, Map.of(), null, jobs), COORDINATOR);

        assertThat(md).contains("5 more jobs: see the run.")
                .contains((GitHubSummary.MAX_ROWS + 5 - GitHubSummary.MAX_FAILURES) + " more failures: see the run.");
        assertThat(md.length()).isLessThan(1 << 20);
    }

    @Test
    void itIsAppendedOnlyOnGitHubActions(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("summary.md");
        Files.writeString(file, "earlier step\n");
        RunView run = new RunView("r-1", "DONE", Verdict.PASSED, Map.of(), null, List.of());

        GitHubSummary.appendIfAsked(run, COORDINATOR, Map.of("GITHUB_STEP_SUMMARY", file.toString()));
        assertThat(Files.readString(file)).isEqualTo("earlier step\n");

        GitHubSummary.appendIfAsked(run, COORDINATOR, Map.of("GITHUB_ACTIONS", "true",
                "GITHUB_STEP_SUMMARY", file.toString()));
        assertThat(Files.readString(file)).startsWith("earlier step\n## vmtest run [r-1]");
    }
}
