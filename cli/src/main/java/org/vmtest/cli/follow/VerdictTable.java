package org.vmtest.cli.follow;

import java.io.PrintWriter;
import java.time.Duration;
import org.vmtest.cli.ExitCodes;
import org.vmtest.cli.client.RunView;
import org.vmtest.protocol.Verdict;

/** The table printed at the end of a run, and the exit code it means. */
public final class VerdictTable {
    /** GitHub shows at most 10 error annotations of a step; the last one says how many more there were. */
    static final int MAX_ANNOTATIONS = 10;

    private VerdictTable() {
    }

    public static void print(RunView run, PrintWriter out, boolean githubActions) {
        out.printf("%nrun %s: %s%n", run.id(), run.verdict() == null ? run.state() : run.verdict());
        out.printf("  %-24s %-12s %-8s %-8s %s%n", "job", "profile", "verdict", "time", "reason");
        int failed = 0;
        for (RunView.JobView job : run.jobs()) {
            out.printf("  %-24s %-12s %-8s %-8s %s%n", job.id(), job.profile(),
                    job.verdict() == null ? "-" : job.verdict(), duration(job), oneLine(job));
            if (githubActions && job.verdict() != null && job.verdict() != Verdict.PASSED) {
                // GitHub Actions turns these lines into annotations on the workflow run.
                if (++failed < MAX_ANNOTATIONS) {
                    out.printf("::error title=vmtest %s %s::%s%n", job.profile(), job.verdict(), oneLine(job));
                }
            }
        }
        if (failed >= MAX_ANNOTATIONS) {
            out.printf("::error title=vmtest: %d jobs did not pass::%d more not annotated here; the step summary"
                    + " lists every failure%n", failed, failed - (MAX_ANNOTATIONS - 1));
        }
        out.flush();
    }

    /** As {@link #exitCode}, but 0 when every failure is a known issue ({@code --known-ok}), saying so. */
    public static int exitCodeKnownOk(RunView run, PrintWriter out) {
        if (run.verdict() != null && run.verdict() != Verdict.PASSED && run.allFailuresKnown()) {
            out.printf("run %s: %s, but every failure is a known issue (--known-ok): exit 0%n", run.id(), run.verdict());
            out.flush();
            return ExitCodes.OK;
        }
        return exitCode(run);
    }

    public static int exitCode(RunView run) {
        // a run cancelled before any job had a verdict has none
        return run.verdict() == null ? ExitCodes.INFRASTRUCTURE : ExitCodes.of(run.verdict());
    }

    private static String oneLine(RunView.JobView job) {
        String s = job.failure() != null ? job.failure().title() : job.reason() == null ? "" : job.reason();
        if (job.failure() != null && job.failure().knownIssue() != null) {
            var known = job.failure().knownIssue();
            s += " [known issue " + known.id() + (known.url().isEmpty() ? "" : " " + known.url()) + "]";
        }
        return s.replace('\n', ' ');
    }

    private static String duration(RunView.JobView job) {
        if (job.phases().isEmpty()) return "-";
        var first = job.phases().get(0).start();
        var last = job.phases().get(job.phases().size() - 1);
        var end = last.end() != null ? last.end() : last.start();
        if (first == null || end == null) return "-";
        return RunFollower.format(Duration.between(first, end));
    }
}
