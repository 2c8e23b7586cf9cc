package org.vmtest.worker.jobs;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The jobs this worker runs right now, by job id: for aborts and heartbeats. */
public final class RunningJobs {
    private final ConcurrentMap<String, JobRunner> jobs = new ConcurrentHashMap<>();

    void add(JobRunner runner) {
        jobs.put(runner.jobId(), runner);
    }

    void remove(JobRunner runner) {
        jobs.remove(runner.jobId(), runner);
    }

    public Optional<JobRunner> get(String jobId) {
        return Optional.ofNullable(jobs.get(jobId));
    }

    public List<String> ids() {
        return jobs.keySet().stream().sorted().toList();
    }

    public int size() {
        return jobs.size();
    }
}
