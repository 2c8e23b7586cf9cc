package org.vmtest.cli.report;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.vmtest.cli.client.RunView;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.verdicts.FailureAnalysis;
import org.vmtest.protocol.verdicts.KnownIssueRef;

/**
 * The run as Markdown for a GitHub Actions job summary ({@code $GITHUB_STEP_SUMMARY}): the verdict with a link
 * to the web view, a table of the jobs, then each failure with its title, known issue and report. GitHub takes at
 * most 1 MiB per step's summary: jobs past {@link #MAX_ROWS} and failures past {@link #MAX_FAILURES} are counted,
 * not shown, and each report is cut to {@link #MAX_REPORT_LINES} lines.
 */
public final class GitHubSummary {
    static final int MAX_ROWS = 300;
    static final int MAX_FAILURES = 30;
    static final int MAX_REPORT_LINES = 40;
    private static final int MAX_CELL = 300;

    private GitHubSummary() {
    }

    /** Appends the run's summary when GitHub Actions asks for one (the environment names the file). */
    public static void appendIfAsked(RunView run, URI coordinator, Map<String, String> env) throws IOException {
        String file = env.get("GITHUB_STEP_SUMMARY");
        if (!"true".equals(env.get("GITHUB_ACTIONS")) || file == null || file.isBlank()) return;
        Files.writeString(Path.of(file), markdown(run, coordinator), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static String markdown(RunView run, URI coordinator) {
        StringBuilder md = new StringBuilder();
        String runLink = coordinator.resolve("/run.html?id=" + URLEncoder.encode(run.id(), StandardCharsets.UTF_8))
                .toString();
        Verdict verdict = run.verdict();
        md.append("## vmtest run [").append(cell(run.id())).append("](").append(runLink).append("): ")
                .append(verdict == null ? run.state() : icon(verdict) + " " + verdict).append("\n\n");
        if (run.allFailuresKnown()) md.append("Every failure of this run is a known issue.\n\n");
        md.append("| job | profile | verdict | attempt | reason |\n| --- | --- | --- | --- | --- |\n");
        List<RunView.JobView> jobs = run.jobs();
        for (RunView.JobView job : jobs.subList(0, Math.min(jobs.size(), MAX_ROWS))) {
            md.append("| [").append(cell(job.id())).append("](").append(runLink).append("#job-")
                    .append(URLEncoder.encode(job.id(), StandardCharsets.UTF_8)).append(") | ")
                    .append(cell(job.profile())).append(" | ")
                    .append(job.verdict() == null ? "-" : icon(job.verdict()) + " " + job.verdict()).append(" | ")
                    .append(job.attempt()).append(" | ").append(reason(job)).append(" |\n");
        }
        if (jobs.size() > MAX_ROWS) md.append("\n").append(jobs.size() - MAX_ROWS).append(" more jobs: see the run.\n");
        List<RunView.JobView> failed = jobs.stream()
                .filter(j -> j.verdict() != null && j.verdict() != Verdict.PASSED).toList();
        if (!failed.isEmpty()) md.append("\n### Failures\n");
        for (RunView.JobView job : failed.subList(0, Math.min(failed.size(), MAX_FAILURES))) failure(md, job);
        if (failed.size() > MAX_FAILURES) {
            md.append("\n").append(failed.size() - MAX_FAILURES).append(" more failures: see the run.\n");
        }
        return md.append("\n").toString();
    }

    private static void failure(StringBuilder md, RunView.JobView job) {
        FailureAnalysis f = job.failure();
        md.append("\n**").append(cell(job.profile())).append("** (").append(cell(job.id())).append("): ")
                .append(job.verdict()).append(": ").append(cell(f != null ? f.title() : job.reason())).append("\n");
        if (f != null && f.knownIssue() != null) md.append("\n").append(known(f.knownIssue())).append("\n");
        for (RunView.TestView t : job.tests()) {
            for (var s : t.subtests()) {
                if (!s.passed()) md.append("\n- subtest ").append(cell(t.name() + " / " + s.name()))
                        .append(s.message().isEmpty() ? "" : ": " + cell(s.message()));
            }
        }
        if (f == null || (f.block().isEmpty() && f.context().isEmpty())) return;
        List<String> lines = new java.util.ArrayList<>(f.context());
        lines.addAll(f.block());
        md.append("\n<details><summary>report").append(f.phase() == null ? "" : " (" + f.phase() + ")")
                .append("</summary>\n\n```\n");
        for (String l : lines.subList(0, Math.min(lines.size(), MAX_REPORT_LINES))) {
            md.append(l.replace("```", "ʼʼʼ")).append('\n');
        }
        if (lines.size() > MAX_REPORT_LINES) md.append("… ").append(lines.size() - MAX_REPORT_LINES).append(" more lines\n");
        md.append("```\n</details>\n");
    }

    private static String reason(RunView.JobView job) {
        FailureAnalysis f = job.failure();
        String text = cell(f != null ? f.title() : job.reason());
        return f != null && f.knownIssue() != null ? text + " " + known(f.knownIssue()) : text;
    }

    private static String known(KnownIssueRef k) {
        String url = k.url();
        return url.startsWith("https://") || url.startsWith("http://")
                ? "known issue [" + cell(k.id()) + "](" + url.replace(")", "%29").replace(" ", "%20") + ")"
                : "known issue " + cell(k.id());
    }

    private static String icon(Verdict v) {
        return switch (v) {
            case PASSED -> "✅";
            case FAILED, ABORTED -> "❌";
            case ERROR -> "⚠️";
        };
    }

    /** One line of table-safe text: no pipes, no newlines, no raw HTML, bounded. */
    static String cell(String s) {
        if (s == null) return "";
        String one = s.replace('\n', ' ').replace('\r', ' ').replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;");
        return one.length() <= MAX_CELL ? one : one.substring(0, MAX_CELL - 1) + "…";
    }
}
