package org.vmtest.analyzer.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.vmtest.analyzer.patterns.Hit;
import org.vmtest.analyzer.verdict.VerdictRules;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.verdicts.JobVerdict;
import org.vmtest.protocol.verdicts.Thought;

/** The analyzer's decisions in words a person reads: each a {@link Thought} on {@code vmtest.verdicts}. */
final class DecisionLog {
    private static final int MAX_QUOTE = 160;

    private DecisionLog() {
    }

    static Thought watching(JobState s, Instant now, int patterns, String rejection) {
        String extras = s.extraPatterns.isEmpty() ? "" : " (" + s.extraPatterns.size() + " from the profile)";
        String reason = rejection.isEmpty()
                ? "every line is matched against " + patterns + " patterns" + extras
                : "the profile's own patterns were rejected (" + rejection + "); matching against the "
                        + patterns + " built-in patterns only";
        return new Thought(s.runId, s.jobId, now,
                "job started: profile " + s.profile + ", attempt " + s.attempt + ", worker " + s.workerId,
                "watch", reason);
    }

    static Thought abort(JobState s, Hit hit, Instant now) {
        String block = hit.block().size() > 1 ? "; the report (" + hit.block().size() + " lines) is complete" : "";
        return new Thought(s.runId, s.jobId, now, seen(hit), "abort",
                "a " + hit.pattern().category().name().toLowerCase(Locale.ROOT) + " finding means nothing useful can "
                        + "follow: destroying the VM now instead of waiting for a timeout" + block);
    }

    static Thought alreadyAborting(JobState s, Hit hit, Instant now) {
        return new Thought(s.runId, s.jobId, now, seen(hit), "already aborting",
                "the abort was ordered at line " + s.abort.lineSeq() + " (" + s.abort.patternId()
                        + "); this finding is kept for the analysis");
    }

    static Thought failPattern(JobState s, Hit hit, Instant now) {
        return new Thought(s.runId, s.jobId, now, seen(hit), "verdict will be FAILED, keep watching",
                "pattern " + hit.pattern().id() + " marks a product failure that does not stop the job");
    }

    static Thought stall(JobState s, Duration limit, long silentMillis, Instant now) {
        return new Thought(s.runId, s.jobId, now,
                "no output for " + seconds(silentMillis) + " during " + s.phase + " (last line " + s.lastSeq + ")",
                "stall finding, keep watching",
                "the phase's stall limit is " + limit.toSeconds() + " s; the worker's phase timeout decides whether "
                        + "the job ends");
    }

    static Thought forget(JobState s, long silentMillis, Instant now) {
        return new Thought(s.runId, s.jobId, now,
                "nothing heard from the job for " + seconds(silentMillis) + " in " + s.phase + " (last line "
                        + s.lastSeq + ")",
                "forget the job",
                "no JobFinished came and no retry started: its worker is gone; the coordinator's timeouts decide its"
                        + " verdict");
    }

    static Thought verdict(JobState s, JobFinished f, VerdictRules.Decision d, JobVerdict v, Instant now) {
        String failure = v.failure() == null ? "" : "; first decisive finding: " + v.failure().title();
        return new Thought(s.runId, s.jobId, now,
                "job finished in " + (f.lastPhase() == null ? s.phase : f.lastPhase()) + " after " + s.lines
                        + " lines; worker outcome " + f.outcome() + (f.reason().isBlank() ? "" : " (" + f.reason() + ")")
                        + "; tests " + s.testsPassed + " passed, " + s.testsFailed + " failed",
                "verdict " + d.verdict(), d.reason() + failure);
    }

    /** What was seen, where and when: pattern, title, the line quoted, its number, phase and time. */
    static String seen(Hit hit) {
        return hit.pattern().category().name().toLowerCase(Locale.ROOT) + " finding " + hit.pattern().id()
                + ": '" + quote(hit.line()) + "' at line " + hit.seq() + " during " + phase(hit.phase())
                + " (" + hit.source().name().toLowerCase(Locale.ROOT).replace('_', '-') + ", " + hit.time() + ")"
                + (hit.title().isBlank() ? "" : ": " + hit.title());
    }

    private static String phase(Phase p) {
        return p == null ? "an unknown phase" : p.name();
    }

    private static String quote(String line) {
        String t = line == null ? "" : line.strip();
        return t.length() <= MAX_QUOTE ? t : t.substring(0, MAX_QUOTE) + "...";
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
