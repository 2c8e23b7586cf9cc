package org.vmtest.analyzer.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.vmtest.issues.KnownIssueRegistry;
import org.vmtest.analyzer.patterns.Hit;
import org.vmtest.analyzer.patterns.JobScanner;
import org.vmtest.analyzer.verdict.VerdictRules;
import org.vmtest.protocol.Action;
import org.vmtest.protocol.Category;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.control.AbortJob;
import org.vmtest.protocol.jobs.PatternSpec;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.JobStarted;
import org.vmtest.protocol.stream.Line;
import org.vmtest.protocol.stream.PhaseChanged;
import org.vmtest.protocol.stream.TestFinished;
import org.vmtest.protocol.verdicts.FailureAnalysis;
import org.vmtest.protocol.verdicts.Finding;
import org.vmtest.protocol.verdicts.JobVerdict;
import org.vmtest.protocol.verdicts.TestOutcome;

/**
 * The analyzer's decisions for one job, one event at a time: findings from pattern hits, the abort, stalls and the
 * verdict. Knows nothing of Kafka: the caller supplies the job's state, the wall-clock time and an {@link Emitter},
 * and stores the state afterwards.
 */
final class JobAnalyst {
    private static final Logger LOG = LoggerFactory.getLogger(JobAnalyst.class);
    static final String STALL_PATTERN = "stall";
    private static final int MAX_TAIL_LINES = 50;

    private final ScannerCache scanners;
    private final Duration defaultStallLimit;
    private final int maxFindingsPerJob;
    private final KnownIssueRegistry knownIssues;

    JobAnalyst(ScannerCache scanners, Duration defaultStallLimit, int maxFindingsPerJob) {
        this(scanners, defaultStallLimit, maxFindingsPerJob, new KnownIssueRegistry());
    }

    JobAnalyst(ScannerCache scanners, Duration defaultStallLimit, int maxFindingsPerJob,
               KnownIssueRegistry knownIssues) {
        this.scanners = scanners;
        this.defaultStallLimit = defaultStallLimit;
        this.maxFindingsPerJob = maxFindingsPerJob;
        this.knownIssues = knownIssues;
    }

    JobState started(JobStarted e, long now, Emitter out) {
        JobState s = JobState.started(e, now);
        ScannerCache.Entry scanner = scanners.forExtras(s.extraPatterns);
        int patterns = scanners.library().patterns().size()
                + (scanner.rejection().isEmpty() ? s.extraPatterns.size() : 0);
        out.verdict(DecisionLog.watching(s, Instant.ofEpochMilli(now), patterns, scanner.rejection()));
        return s;
    }

    void line(JobState s, Line l, long now, Emitter out) {
        s.touched(now);
        s.lines++;
        s.lastSeq = l.seq();
        s.phase = l.phase();
        s.clockOffsetMillis = l.time().toEpochMilli() - now;
        if (l.source() == LineSource.SSH_STDOUT && l.phase() == Phase.TESTING) s.tap.line(l.text());
        List<Hit> hits = scanner(s).onLine(s.scan, l.seq(), l.phase(), l.source(), l.time(), l.text());
        for (Hit hit : hits) hit(s, hit, now, true, out);
    }

    void phase(JobState s, PhaseChanged e, long now) {
        s.touched(now);
        s.phase = e.phase();
    }

    void test(JobState s, TestFinished t, long now) {
        s.touched(now);
        TestOutcome outcome = Subtests.outcome(t, s.tap.finish());
        s.addTest(outcome);
        if (outcome.passed()) {
            s.testsPassed++;
            return;
        }
        s.testsFailed++;
        if (s.firstFailedTest == null) {
            s.firstFailedTest = new JobState.FailedTest(Subtests.failedName(t, outcome), t.exitCode(),
                    Subtests.failedReason(t, outcome), t.outputTail());
        }
    }

    /**
     * Wall-clock tick: a multi-line report whose grace passed is closed here, and its abort goes out. The grace is
     * measured in the worker's clock (the time lines carry), so a skewed clock neither cuts a report short nor
     * holds an abort back.
     *
     * @return whether the state changed
     */
    boolean tick(JobState s, long now, Emitter out) {
        if (!s.scan.reportOpen()) return false;
        List<Hit> hits = scanner(s).onTick(s.scan, Instant.ofEpochMilli(now + s.clockOffsetMillis));
        for (Hit hit : hits) hit(s, hit, now, true, out);
        return !hits.isEmpty();
    }

    /** @return whether the state changed: a stall is reported once per silence, not on every tick */
    boolean checkStall(JobState s, long now, Emitter out) {
        if (s.stallReported || s.phase == Phase.REPORTING) return false;
        Duration limit = s.stallLimit(defaultStallLimit);
        long silent = now - s.lastActivityMillis;
        if (silent <= limit.toMillis()) return false;
        s.stallReported = true;
        Instant at = Instant.ofEpochMilli(now);
        String title = "no output for " + limit.toSeconds() + " s during " + s.phase;
        out.verdict(new Finding(s.runId, s.jobId, s.attempt, at, STALL_PATTERN, Category.ERROR, Action.NOTE, title,
                Signatures.of(title), s.phase, LineSource.WORKER, Math.max(1, s.lastSeq), "", List.of(),
                silent / 1000.0, "s"));
        out.verdict(DecisionLog.stall(s, limit, silent, at));
        log(s, () -> LOG.info("stall: {} silent for {} ms (limit {})", s.phase, silent, limit));
        return true;
    }

    /**
     * A job that sent nothing for {@code forgetAfter} will not finish any more (its worker and every retry are
     * gone): its state goes, so the store does not grow with abandoned jobs.
     */
    boolean forget(JobState s, long now, Duration forgetAfter, Emitter out) {
        long silent = now - s.lastActivityMillis;
        if (silent <= forgetAfter.toMillis()) return false;
        out.verdict(DecisionLog.forget(s, silent, Instant.ofEpochMilli(now)));
        log(s, () -> LOG.warn("forgetting job: nothing heard for {} ms, no JobFinished", silent));
        return true;
    }

    JobVerdict finished(JobState s, JobFinished f, long now, Emitter out) {
        for (Hit hit : scanner(s).onEnd(s.scan)) hit(s, hit, now, false, out);
        if (f.lastPhase() != null) s.phase = f.lastPhase();
        String evidence = s.abort != null ? s.abort.title() : s.decisive != null ? s.decisive.analysis().title() : "";
        VerdictRules.Decision d = VerdictRules.decide(new VerdictRules.Facts(f.outcome(), s.abort != null,
                s.failFinding, s.testsFailed, f.reason(), evidence));
        Instant at = Instant.ofEpochMilli(now);
        JobVerdict v = new JobVerdict(s.runId, s.jobId, s.attempt, at, s.profile, d.verdict(), d.reason(),
                known(s, failureAnalysis(s, d.verdict(), f), at), s.failureTitles, s.metrics, s.testsPassed,
                s.testsFailed, s.tests);
        out.verdict(v);
        out.verdict(DecisionLog.verdict(s, f, d, v, at));
        log(s, () -> LOG.info("verdict {}: {}", d.verdict(), d.reason()));
        return v;
    }

    /** The analyzer never saw this job start (it came up after the job did): the worker's outcome is all it has. */
    JobVerdict finishedUnseen(JobFinished f, long now, Emitter out) {
        JobState s = new JobState();
        s.jobId = f.jobId();
        s.runId = f.runId();
        s.attempt = f.attempt();
        s.startedMillis = now;
        return finished(s, f, now, out);
    }

    private void hit(JobState s, Hit hit, long now, boolean jobRunning, Emitter out) {
        PatternSpec p = hit.pattern();
        Instant at = Instant.ofEpochMilli(now);
        if (hit.value() != null && p.metric() != null) s.putMetric(p.metric().name(), hit.value());
        boolean abort = p.action() == Action.ABORT;
        boolean decisive = abort || p.action() == Action.FAIL;
        if (p.category() == Category.CRITICAL || p.category() == Category.ERROR || p.category() == Category.FAILURE
                || decisive) {
            s.addFailureTitle(hit.title());
        }
        if (decisive && s.decisive == null) s.decisive = new JobState.Decisive(analysis(hit), hit.seq());
        // A crash report only closed because the job ended cannot be aborted any more; it still fails the job.
        boolean firstFail = p.action() == Action.FAIL || (abort && !jobRunning);
        boolean announceFail = firstFail && !s.failFinding && s.abort == null;
        if (firstFail) s.failFinding = true;

        String key = p.id() + "|" + (hit.signature().isEmpty() ? hit.title() : hit.signature());
        boolean admitted = s.admitFinding(key, decisive, maxFindingsPerJob);
        if (admitted) out.verdict(known(s, finding(s, hit, at), decisive, at));

        if (abort && jobRunning) {
            if (s.abort == null) {
                s.abort = new JobState.AbortOrder(p.id(), hit.title(), hit.seq(), now, analysis(hit));
                out.control(new AbortJob(s.jobId, s.runId, at, hit.title(), p.id(), hit.seq()));
                out.verdict(DecisionLog.abort(s, hit, at));
                log(s, () -> LOG.info("abort: {} at line {} ({})", p.id(), hit.seq(), hit.title()));
            } else if (admitted) {
                out.verdict(DecisionLog.alreadyAborting(s, hit, at));
            }
        } else if (announceFail) {
            out.verdict(DecisionLog.failPattern(s, hit, at));
        }
    }

    private static Finding finding(JobState s, Hit hit, Instant at) {
        PatternSpec p = hit.pattern();
        return new Finding(s.runId, s.jobId, s.attempt, hit.time() == null ? at : hit.time(), p.id(), p.category(),
                p.action(), hit.title(), hit.signature(), hit.phase(), hit.source(), Math.max(1, hit.seq()), hit.line(),
                hit.block(), hit.value(), hit.unit());
    }

    /** The failure with the known issue it matches now; a verdict keeps what it had when it was given. */
    private FailureAnalysis known(JobState s, FailureAnalysis failure, Instant at) {
        if (failure == null) return null;
        return knownIssues.match(s.profile, failure.title(), failure.signature(), at)
                .map(failure::withKnownIssue).orElse(failure);
    }

    /** Only failure-relevant findings are matched: a progress note is nobody's bug. Expiry is by our clock. */
    private Finding known(JobState s, Finding f, boolean decisive, Instant at) {
        Category c = f.category();
        if (!(decisive || c == Category.CRITICAL || c == Category.ERROR || c == Category.FAILURE)) return f;
        return knownIssues.match(s.profile, f.title(), f.signature(), at)
                .map(ref -> new Finding(f.runId(), f.jobId(), f.attempt(), f.time(), f.patternId(), c, f.action(),
                        f.title(), f.signature(), f.phase(), f.source(), f.lineSeq(), f.line(), f.block(), f.value(),
                        f.unit(), ref))
                .orElse(f);
    }

    private static FailureAnalysis analysis(Hit hit) {
        List<String> block = hit.block().isEmpty() ? List.of(hit.line()) : hit.block();
        return new FailureAnalysis(hit.title(), hit.signature(), hit.pattern().id(), hit.phase(), hit.line(), block,
                hit.context());
    }

    private static FailureAnalysis failureAnalysis(JobState s, Verdict verdict, JobFinished f) {
        Phase phase = f.lastPhase() == null ? s.phase : f.lastPhase();
        return switch (verdict) {
            case PASSED -> null;
            case ABORTED -> s.abort != null ? s.abort.analysis() : worker("stopped early", f, phase);
            case FAILED -> s.failFinding && s.decisive != null ? s.decisive.analysis()
                    : s.firstFailedTest != null ? testAnalysis(s.firstFailedTest) : worker("failed", f, phase);
            case ERROR -> worker("infrastructure error", f, phase);
        };
    }

    private static FailureAnalysis testAnalysis(JobState.FailedTest t) {
        String title = "test " + t.name() + " failed" + (t.reason().isBlank() ? "" : ": " + t.reason());
        List<String> tail = new ArrayList<>(Arrays.asList(t.outputTail().split("\n", -1)));
        if (!tail.isEmpty() && tail.get(tail.size() - 1).isEmpty()) tail.remove(tail.size() - 1);
        if (tail.size() > MAX_TAIL_LINES) tail = tail.subList(tail.size() - MAX_TAIL_LINES, tail.size());
        return new FailureAnalysis(title, Signatures.of("test " + t.name()), "test", Phase.TESTING,
                "exit code " + t.exitCode(), tail, List.of());
    }

    private static FailureAnalysis worker(String what, JobFinished f, Phase phase) {
        String title = what + (f.reason().isBlank() ? "" : ": " + f.reason());
        return new FailureAnalysis(title, Signatures.of(title), "worker", phase, f.reason(), List.of(), List.of());
    }

    private JobScanner scanner(JobState s) {
        return scanners.forExtras(s.extraPatterns).scanner();
    }

    private static void log(JobState s, Runnable logging) {
        try (MDC.MDCCloseable job = MDC.putCloseable("jobId", s.jobId);
             MDC.MDCCloseable run = MDC.putCloseable("runId", s.runId)) {
            logging.run();
        }
    }
}
