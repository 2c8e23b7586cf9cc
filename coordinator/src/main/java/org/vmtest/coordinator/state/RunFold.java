package org.vmtest.coordinator.state;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.vmtest.coordinator.api.Job;
import org.vmtest.coordinator.api.PhaseSpan;
import org.vmtest.coordinator.api.Run;
import org.vmtest.coordinator.api.RunStatus;
import org.vmtest.coordinator.api.TestResult;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.runs.RunCancelled;
import org.vmtest.protocol.runs.RunSubmitted;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.JobStarted;
import org.vmtest.protocol.stream.PhaseChanged;
import org.vmtest.protocol.stream.StreamEvent;
import org.vmtest.protocol.stream.TestFinished;
import org.vmtest.protocol.verdicts.JobVerdict;
import org.vmtest.protocol.verdicts.RunVerdict;
import org.vmtest.protocol.verdicts.TestOutcome;

/**
 * The rules that turn a run's records into its state: a pure function, so the Streams processor only stores and
 * forwards. Records may arrive in any order across topics (a job's {@code JobStarted} before its run's
 * {@code RunSubmitted}); the fold keeps what it learns and the run counts only once it was submitted.
 */
public final class RunFold {
    private static final String CANCELLED_BEFORE_START = "cancelled before a worker took it";

    private RunFold() {
    }

    /** The new state, and the {@code RunVerdict} if this record completed the run (at most once per run). */
    public record Step(Run run, Optional<RunVerdict> verdict) {
    }

    public static Run empty(String runId) {
        return new Run(runId, RunStatus.QUEUED, null, Map.of(), null, null, null, List.of(), Map.of(), Map.of(), List.of(),
                false);
    }

    public static Step apply(Run run, RunInput input) {
        Run next = run;
        if (input instanceof RunInput.Command c && c.command() instanceof RunSubmitted s) {
            next = submitted(run, s);
        } else if (input instanceof RunInput.Command c && c.command() instanceof RunCancelled x) {
            next = cancelled(run, x);
        } else if (input instanceof RunInput.Lifecycle l) {
            next = lifecycle(run, l.event());
        } else if (input instanceof RunInput.Verdict v) {
            next = jobVerdict(run, v.verdict());
        }
        return complete(next);
    }

    private static Run submitted(Run run, RunSubmitted s) {
        if (run.submitted()) return run;
        Map<String, Job> known = byId(run.jobs());
        List<Job> jobs = s.jobs().stream()
                .map(ref -> known.getOrDefault(ref.jobId(), Job.queued(ref.jobId(), ref.profile())))
                .toList();
        RunStatus state = run.state() == RunStatus.CANCELLED ? RunStatus.CANCELLED
                : jobs.stream().anyMatch(j -> j.started() || j.finished()) ? RunStatus.RUNNING : RunStatus.QUEUED;
        return new Run(run.id(), state, null, s.labels(), s.time(), latest(run.updatedAt(), s.time()), null, jobs,
                s.variables(), s.artifacts(), s.profiles(), false);
    }

    private static Run cancelled(Run run, RunCancelled x) {
        if (run.verdict() != null || run.state() == RunStatus.CANCELLED) return run;
        List<Job> jobs = run.jobs().stream()
                .map(j -> j.started() || j.finished() ? j
                        : new Job(j.id(), j.profile(), j.phase(), j.attempt(), j.worker(), Verdict.ABORTED,
                                CANCELLED_BEFORE_START, null, j.phases(), j.tests(), j.startedAt(), x.time()))
                .toList();
        return withJobs(run, RunStatus.CANCELLED, jobs, x.time());
    }

    private static Run lifecycle(Run run, StreamEvent event) {
        if (event instanceof JobStarted s) {
            return updateJob(run, s.jobId(), s.profile(), s.time(), j -> started(j, s));
        }
        if (event instanceof PhaseChanged p) {
            return updateJob(run, p.jobId(), null, p.time(),
                    j -> current(j, p.attempt()) ? enter(j, p.phase(), p.time()) : j);
        }
        if (event instanceof TestFinished t) {
            TestResult result = new TestResult(t.name(), t.passed(), t.durationMillis(), t.reason(), List.of());
            // a verdict that overtook this record already brought the test, as the analyzer weighed it
            return updateJob(run, t.jobId(), null, t.time(), j -> current(j, t.attempt())
                    && !(j.finished() && j.tests().stream().anyMatch(x -> x.name().equals(t.name())))
                    ? with(j, j.phase(), j.phases(), append(j.tests(), result), j.finishedAt())
                    : j);
        }
        if (event instanceof JobFinished f) {
            return updateJob(run, f.jobId(), null, f.time(), j -> current(j, f.attempt()) ? jobFinished(j, f) : j);
        }
        return run;
    }

    /**
     * A new attempt starts the job's history afresh. The verdict may have overtaken the lifecycle (they travel on
     * different topics): then the history is filled in and the verdict kept.
     */
    private static Job started(Job j, JobStarted s) {
        if (s.attempt() < j.attempt() || (s.attempt() == j.attempt() && j.started())) return j;
        List<PhaseSpan> phases = List.of(new PhaseSpan(Phase.PROVISIONING, s.time(), null));
        if (j.finished()) {
            return new Job(j.id(), j.profile(), j.phase() != null ? j.phase() : Phase.PROVISIONING, s.attempt(),
                    s.workerId(), j.verdict(), j.reason(), j.failure(), phases, j.tests(), s.time(), j.finishedAt());
        }
        return new Job(j.id(), j.profile(), Phase.PROVISIONING, s.attempt(), s.workerId(), null, "", null, phases,
                List.of(), s.time(), null);
    }

    private static boolean current(Job j, int attempt) {
        return attempt >= j.attempt();
    }

    private static Job enter(Job j, Phase phase, Instant time) {
        if (j.phase() == phase && !j.phases().isEmpty()) return j;
        List<PhaseSpan> phases = new ArrayList<>(closeOpen(j.phases(), time));
        phases.add(new PhaseSpan(phase, time, null));
        return with(j, phase, phases, j.tests(), j.finishedAt());
    }

    private static Job jobFinished(Job j, JobFinished f) {
        Phase phase = f.lastPhase() != null ? f.lastPhase() : j.phase();
        Job closed = with(j, phase, PhaseSpan.withArtifactFetch(closeOpen(j.phases(), f.time()), f.artifactFetchMillis()),
                j.tests(), f.time());
        String worker = closed.worker() != null ? closed.worker() : f.workerId();
        String reason = closed.reason().isEmpty() ? f.reason() : closed.reason();
        return new Job(closed.id(), closed.profile(), closed.phase(), Math.max(closed.attempt(), f.attempt()), worker,
                closed.verdict(), reason, closed.failure(), closed.phases(), closed.tests(), closed.startedAt(),
                closed.finishedAt());
    }

    private static Run jobVerdict(Run run, JobVerdict v) {
        return updateJob(run, v.jobId(), v.profile(), v.time(), j -> {
            if (j.finished()) return j;
            Instant end = j.finishedAt() != null ? j.finishedAt() : v.time();
            return new Job(j.id(), j.profile(), j.phase(), Math.max(j.attempt(), v.attempt()), j.worker(),
                    v.verdict(), v.reason(), v.failure(), closeOpen(j.phases(), end), weighed(j.tests(), v.tests()),
                    j.startedAt(), end);
        });
    }

    /**
     * The tests as the verdict weighed them: the n-th outcome of the verdict is the n-th test that ended. A
     * verdict that overtook the lifecycle brings the tests the lifecycle has not told yet.
     */
    static List<TestResult> weighed(List<TestResult> told, List<TestOutcome> outcomes) {
        if (outcomes.isEmpty()) return told;
        List<TestResult> tests = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            TestOutcome o = outcomes.get(i);
            long millis = i < told.size() && told.get(i).name().equals(o.name()) ? told.get(i).durationMillis() : 0;
            tests.add(new TestResult(o.name(), o.passed(), millis, o.reason(), o.subtests()));
        }
        // an analyzer that came up mid-job weighed only the tests it saw end: the others stay as told
        if (told.size() > outcomes.size()) tests.addAll(told.subList(outcomes.size(), told.size()));
        return tests;
    }

    /** Sets the run's verdict once every job has one: the only place a {@code RunVerdict} comes from. */
    private static Step complete(Run run) {
        if (!run.submitted() || run.verdict() != null || run.jobs().isEmpty()
                || !run.jobs().stream().allMatch(Job::finished)) {
            return new Step(run, Optional.empty());
        }
        Verdict verdict = run.jobs().stream().map(Job::verdict).reduce(Verdict.PASSED, Verdict::worse);
        Instant time = run.jobs().stream().map(Job::finishedAt).filter(t -> t != null)
                .max(Instant::compareTo).orElse(run.updatedAt());
        RunStatus state = run.state() == RunStatus.CANCELLED ? RunStatus.CANCELLED : RunStatus.DONE;
        boolean allKnown = allFailuresKnown(run.jobs());
        Run done = run.with(state, verdict, latest(run.updatedAt(), time), time, run.jobs(), allKnown);
        Map<String, Verdict> jobs = new LinkedHashMap<>();
        run.jobs().forEach(j -> jobs.put(j.id(), j.verdict()));
        return new Step(done, Optional.of(new RunVerdict(run.id(), time, verdict, jobs, run.labels(), allKnown)));
    }

    /** Some job did not pass, and each that did not pass failed with a known issue. */
    static boolean allFailuresKnown(List<Job> jobs) {
        List<Job> failed = jobs.stream().filter(j -> j.verdict() != Verdict.PASSED).toList();
        return !failed.isEmpty()
                && failed.stream().allMatch(j -> j.failure() != null && j.failure().knownIssue() != null);
    }

    /**
     * Applies {@code change} to one job. A job the run does not know is added only while the run's submission
     * is still unread (its lifecycle overtook it); after that, a stray job id is ignored.
     */
    private static Run updateJob(Run run, String jobId, String profile, Instant time, UnaryOperator<Job> change) {
        List<Job> jobs = new ArrayList<>(run.jobs());
        int index = indexOf(jobs, jobId);
        if (index < 0) {
            if (run.submitted()) return run;
            jobs.add(change.apply(Job.queued(jobId, profile == null || profile.isEmpty() ? "?" : profile)));
        } else {
            jobs.set(index, change.apply(jobs.get(index)));
        }
        RunStatus state = run.state() == RunStatus.QUEUED && jobs.stream().anyMatch(j -> j.started() || j.finished())
                ? RunStatus.RUNNING : run.state();
        return withJobs(run, state, jobs, time);
    }

    private static Run withJobs(Run run, RunStatus state, List<Job> jobs, Instant time) {
        return run.with(state, run.verdict(), latest(run.updatedAt(), time), run.finishedAt(), jobs);
    }

    private static Job with(Job j, Phase phase, List<PhaseSpan> phases, List<TestResult> tests, Instant finishedAt) {
        return new Job(j.id(), j.profile(), phase, j.attempt(), j.worker(), j.verdict(), j.reason(), j.failure(),
                phases, tests, j.startedAt(), finishedAt);
    }

    private static List<PhaseSpan> closeOpen(List<PhaseSpan> phases, Instant time) {
        return phases.stream().map(p -> p.end() == null ? p.closedAt(time) : p).toList();
    }

    private static <T> List<T> append(List<T> list, T item) {
        List<T> copy = new ArrayList<>(list);
        copy.add(item);
        return copy;
    }

    private static int indexOf(List<Job> jobs, String jobId) {
        for (int i = 0; i < jobs.size(); i++) {
            if (jobs.get(i).id().equals(jobId)) return i;
        }
        return -1;
    }

    private static Map<String, Job> byId(List<Job> jobs) {
        Map<String, Job> map = new LinkedHashMap<>();
        jobs.forEach(j -> map.put(j.id(), j));
        return map;
    }

    private static Instant latest(Instant a, Instant b) {
        if (a == null) return b;
        if (b == null) return a;
        return a.isAfter(b) ? a : b;
    }
}
