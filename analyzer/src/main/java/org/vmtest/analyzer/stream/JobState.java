package org.vmtest.analyzer.stream;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vmtest.analyzer.patterns.ScanState;
import org.vmtest.analyzer.subtests.TapResults;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.jobs.PatternSpec;
import org.vmtest.protocol.stream.JobStarted;
import org.vmtest.protocol.verdicts.FailureAnalysis;
import org.vmtest.protocol.verdicts.TestOutcome;

/**
 * What the analyzer remembers about one running job, kept in the state store (as JSON) between records and
 * dropped when the job ends. Everything that grows with the job's output is bounded, so a console flood cannot
 * grow it.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE, isGetterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonIgnoreProperties(ignoreUnknown = true)
final class JobState {
    static final int MAX_FAILURE_TITLES = 50;
    static final int MAX_METRICS = 100;
    static final int MAX_TESTS = 200;

    String jobId;
    String runId;
    String profile = "";
    String workerId = "";
    int attempt;
    Phase phase = Phase.PROVISIONING;
    long startedMillis;
    List<PatternSpec> extraPatterns = new ArrayList<>();
    Map<Phase, Duration> stallLimits = new EnumMap<>(Phase.class);

    ScanState scan = ScanState.empty();
    long lines;
    long lastSeq;

    /** Wall-clock time of the job's last record, as this analyzer received it: silence is measured from here. */
    long lastActivityMillis;
    /** The worker's clock minus ours at the last line, so a grace measured in the stream's time survives skew. */
    long clockOffsetMillis;
    /** The current silence was already reported; a new record clears it. */
    boolean stallReported;

    AbortOrder abort;
    Decisive decisive;
    boolean failFinding;
    List<String> failureTitles = new ArrayList<>();
    Set<String> emittedKeys = new LinkedHashSet<>();
    int decisiveEmitted;
    int notesEmitted;
    int findingsSuppressed;
    Map<String, Double> metrics = new LinkedHashMap<>();

    int testsPassed;
    int testsFailed;
    FailedTest firstFailedTest;
    /** The subtests the running test reported so far ({@code results: tap}). */
    TapResults tap = new TapResults();
    List<TestOutcome> tests = new ArrayList<>();

    /**
     * The job's JobVerdict went out. Only this marker is kept afterwards, so that a job delivered again after it
     * finished (a lost acknowledgement, a broker restart) never gets a second verdict.
     */
    boolean verdictSent;

    /** What remains of a finished job: who it was and when it was last heard of. */
    static JobState verdictSent(String jobId, String runId, int attempt, long now) {
        JobState done = new JobState();
        done.jobId = jobId;
        done.runId = runId;
        done.attempt = attempt;
        done.lastActivityMillis = now;
        done.verdictSent = true;
        return done;
    }

    /** The abort this analyzer ordered, for the verdict and for later "already aborting" thoughts. */
    record AbortOrder(String patternId, String title, long lineSeq, long sentMillis, FailureAnalysis analysis) {
    }

    /** The first finding that decides the verdict (action ABORT or FAIL), as the failure analysis will show it. */
    record Decisive(FailureAnalysis analysis, long lineSeq) {
    }

    record FailedTest(String name, int exitCode, String reason, String outputTail) {
    }

    JobState() {
    }

    static JobState started(JobStarted e, long nowMillis) {
        JobState s = new JobState();
        s.jobId = e.jobId();
        s.runId = e.runId();
        s.profile = e.profile();
        s.workerId = e.workerId();
        s.attempt = e.attempt();
        s.startedMillis = nowMillis;
        s.lastActivityMillis = nowMillis;
        s.clockOffsetMillis = e.time().toEpochMilli() - nowMillis;
        s.extraPatterns = new ArrayList<>(e.patterns());
        s.stallLimits = e.stallLimits().isEmpty() ? new EnumMap<>(Phase.class) : new EnumMap<>(e.stallLimits());
        return s;
    }

    /** A later attempt of the same job whose JobStarted this analyzer missed: start over, keep what the profile said. */
    JobState nextAttempt(int newAttempt, long nowMillis) {
        JobState s = new JobState();
        s.jobId = jobId;
        s.runId = runId;
        s.profile = profile;
        s.workerId = "";
        s.attempt = newAttempt;
        s.startedMillis = nowMillis;
        s.lastActivityMillis = nowMillis;
        s.clockOffsetMillis = clockOffsetMillis;
        s.extraPatterns = extraPatterns;
        s.stallLimits = stallLimits;
        return s;
    }

    void touched(long nowMillis) {
        lastActivityMillis = nowMillis;
        stallReported = false;
    }

    Duration stallLimit(Duration fallback) {
        Duration d = stallLimits.get(phase);
        return d == null ? fallback : d;
    }

    /**
     * Whether a finding may still go out. Decisive findings (abort, fail) always do, up to {@code max}; others
     * once per distinct key and at most {@code max} in all, so a console flood of the same message is one finding,
     * not thousands, and notes can never crowd out a crash.
     */
    boolean admitFinding(String key, boolean decisive, int max) {
        if (decisive) {
            if (decisiveEmitted >= max) {
                findingsSuppressed++;
                return false;
            }
            decisiveEmitted++;
            return true;
        }
        if (notesEmitted >= max || !emittedKeys.add(key)) {
            findingsSuppressed++;
            return false;
        }
        notesEmitted++;
        return true;
    }

    void addFailureTitle(String title) {
        if (failureTitles.size() < MAX_FAILURE_TITLES && !failureTitles.contains(title)) failureTitles.add(title);
    }

    void addTest(TestOutcome test) {
        if (tests.size() < MAX_TESTS) tests.add(test);
    }

    void putMetric(String name, double value) {
        if (metrics.containsKey(name) || metrics.size() < MAX_METRICS) metrics.put(name, value);
    }
}
