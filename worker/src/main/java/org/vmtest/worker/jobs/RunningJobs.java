package org.vmtest.worker.jobs;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The jobs this worker runs right now, by job id: for aborts and heartbeats. */
public final class RunningJobs {
    private static final int REMEMBERED = 1000;
    private final ConcurrentMap<String, JobRunner> jobs = new ConcurrentHashMap<>();
    private final java.util.Set<String> finished = java.util.Collections.newSetFromMap(
            java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > REMEMBERED;
                }
            }));

    private final java.util.Set<String> cancelled = java.util.Collections.newSetFromMap(
            java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > REMEMBERED;
                }
            }));

    /** A CancelJob came for a job this worker does not run (yet): if it comes here later, it must not start. */
    public void cancelled(String jobId) {
        cancelled.add(jobId);
    }

    boolean wasCancelled(String jobId) {
        return cancelled.contains(jobId);
    }

    void add(JobRunner runner) {
        jobs.put(runner.jobId(), runner);
    }

    void remove(JobRunner runner) {
        jobs.remove(runner.jobId(), runner);
    }

    /** Remembers that this worker published the job's {@code JobFinished}. */
    void finished(String jobId) {
        finished.add(jobId);
    }

    /**
     * Whether this worker already finished the job (among its last 1000), or accepted a delivery of it as finished
     * by another worker.
     */
    public boolean alreadyFinished(String jobId) {
        return finished.contains(jobId);
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
