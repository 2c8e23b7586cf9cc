package org.vmtest.coordinator.core;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import org.vmtest.coordinator.api.Job;
import org.vmtest.coordinator.api.Run;
import org.vmtest.coordinator.api.RunStatus;
import org.vmtest.coordinator.state.RunView;

/**
 * The coordinator's Prometheus metrics: runs by state, jobs by state, the queue depth (jobs requested that no
 * worker took yet), submissions, and how long runs and jobs take from submission to verdict.
 */
public final class RunMetrics {
    private final Counter runsSubmitted;
    private final Counter jobsSubmitted;
    private final Timer runVerdictLatency;
    private final Timer jobVerdictLatency;

    public RunMetrics(MeterRegistry registry, RunView view) {
        for (RunStatus state : RunStatus.values()) {
            Gauge.builder("vmtest_runs", view, v -> v.list(r -> r.state() == state).size())
                    .tag("state", state.name()).description("runs by state").register(registry);
        }
        for (String state : new String[] {"queued", "running", "finished"}) {
            Gauge.builder("vmtest_jobs", view, v -> countJobs(v, state))
                    .tag("state", state).description("jobs by state").register(registry);
        }
        Gauge.builder("vmtest_queue_depth", view, v -> countJobs(v, "queued"))
                .description("jobs requested that no worker has started yet").register(registry);
        runsSubmitted = Counter.builder("vmtest_runs_submitted").description("runs accepted by this coordinator")
                .register(registry);
        jobsSubmitted = Counter.builder("vmtest_jobs_submitted").description("jobs requested by this coordinator")
                .register(registry);
        runVerdictLatency = Timer.builder("vmtest_run_verdict_latency")
                .description("from a run's submission to its RunVerdict").publishPercentileHistogram().register(registry);
        jobVerdictLatency = Timer.builder("vmtest_job_verdict_latency")
                .description("from a job's submission to its JobVerdict").publishPercentileHistogram().register(registry);
        view.onChange(this::changed);
    }

    private static double countJobs(RunView view, String state) {
        return view.all().stream().flatMap(r -> r.jobs().stream()).filter(j -> j.state().equals(state)).count();
    }

    void submitted(int jobs) {
        runsSubmitted.increment();
        jobsSubmitted.increment(jobs);
    }

    private void changed(Run before, Run after) {
        if (after.createdAt() == null) return;
        if (after.verdict() != null && (before == null || before.verdict() == null) && after.finishedAt() != null) {
            runVerdictLatency.record(Duration.between(after.createdAt(), after.finishedAt()));
        }
        for (Job job : after.jobs()) {
            boolean wasFinished = before != null && before.job(job.id()).map(Job::finished).orElse(false);
            if (job.finished() && !wasFinished && job.finishedAt() != null) {
                jobVerdictLatency.record(Duration.between(after.createdAt(), job.finishedAt()));
            }
        }
    }
}
