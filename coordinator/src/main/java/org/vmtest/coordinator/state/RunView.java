package org.vmtest.coordinator.state;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.vmtest.coordinator.api.Job;
import org.vmtest.coordinator.api.Run;

/**
 * This coordinator's copy of {@code vmtest.runs}: every run, as the topic last said. A run this coordinator just
 * submitted is served from a pending copy until the topic catches up, so a GET right after the POST finds it.
 */
public final class RunView {
    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    private final Map<String, Run> pending = new ConcurrentHashMap<>();
    private final Map<String, String> runOfJob = new ConcurrentHashMap<>();
    private final List<BiConsumer<Run, Run>> listeners = new CopyOnWriteArrayList<>();

    /** Called with (before, after) for every change read from the topic; before is null for a new run. */
    public void onChange(BiConsumer<Run, Run> listener) {
        listeners.add(listener);
    }

    void put(Run run) {
        Run before = runs.put(run.id(), run);
        pending.remove(run.id());
        run.jobs().forEach(j -> runOfJob.put(j.id(), run.id()));
        listeners.forEach(l -> l.accept(before, run));
    }

    void remove(String runId) {
        Run gone = runs.remove(runId);
        if (gone != null) gone.jobs().forEach(j -> runOfJob.remove(j.id()));
    }

    public void pending(Run run) {
        if (!runs.containsKey(run.id())) {
            pending.put(run.id(), run);
            run.jobs().forEach(j -> runOfJob.put(j.id(), run.id()));
        }
    }

    public Optional<Run> get(String runId) {
        Run run = runs.get(runId);
        return Optional.ofNullable(run != null ? run : pending.get(runId));
    }

    public Optional<String> runOfJob(String jobId) {
        return Optional.ofNullable(runOfJob.get(jobId));
    }

    public Optional<Job> job(String jobId) {
        return runOfJob(jobId).flatMap(this::get).flatMap(r -> r.job(jobId));
    }

    /** Newest first. */
    public List<Run> list(Predicate<Run> filter) {
        List<Run> all = new ArrayList<>(runs.values());
        pending.values().stream().filter(r -> !runs.containsKey(r.id())).forEach(all::add);
        return all.stream().filter(filter)
                .sorted(Comparator.comparing(Run::createdAt, Comparator.nullsLast(Comparator.reverseOrder()))
                        .thenComparing(Run::id))
                .toList();
    }

    public List<Run> all() {
        return list(r -> true);
    }
}
