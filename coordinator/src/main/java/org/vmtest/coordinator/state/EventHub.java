package org.vmtest.coordinator.state;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What happened in each run, for Server-Sent Events: a bounded history per run (so a client reconnecting with
 * {@code Last-Event-ID} gets what it missed) and the clients following it live. Event ids are Kafka coordinates
 * ({@code v2-1031}: topic, partition, offset), so they mean the same to every coordinator.
 */
public final class EventHub {
    /** @param data what goes on the wire as the event's JSON */
    public record Event(String id, String name, Object data) {
    }

    /** A client following a run; returns false once it is gone, to be dropped. */
    public interface Subscriber {
        boolean send(Event event);
    }

    private final int historyPerRun;
    private final Map<String, RunEvents> runs;
    private final Map<String, String> runOfJob;

    public EventHub(int historyPerRun, int runsKept) {
        this.historyPerRun = historyPerRun;
        this.runs = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, RunEvents> eldest) {
                return size() > runsKept && eldest.getValue().subscribers.isEmpty();
            }
        };
        this.runOfJob = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                return size() > runsKept * 20;
            }
        };
    }

    public synchronized void jobBelongsTo(String jobId, String runId) {
        runOfJob.put(jobId, runId);
    }

    public synchronized Optional<String> runOfJob(String jobId) {
        return Optional.ofNullable(runOfJob.get(jobId));
    }

    public void publish(String runId, Event event) {
        events(runId).publish(event, historyPerRun);
    }

    /**
     * Sends the history after {@code lastEventId} (all of it when the id is null or no longer held), then every new
     * event, to {@code subscriber}. Close the result to stop.
     */
    public AutoCloseable subscribe(String runId, String lastEventId, Subscriber subscriber) {
        RunEvents events = events(runId);
        events.subscribe(lastEventId, subscriber);
        return () -> events.subscribers.remove(subscriber);
    }

    /** Sends a comment-like keep-alive; drops clients that have gone away. */
    public void ping(Event keepAlive) {
        List<RunEvents> all;
        synchronized (this) {
            all = new ArrayList<>(runs.values());
        }
        all.forEach(r -> r.subscribers.removeIf(s -> !s.send(keepAlive)));
    }

    public synchronized int subscriberCount() {
        return runs.values().stream().mapToInt(r -> r.subscribers.size()).sum();
    }

    private synchronized RunEvents events(String runId) {
        return runs.computeIfAbsent(runId, id -> new RunEvents());
    }

    private static final class RunEvents {
        private final ArrayDeque<Event> history = new ArrayDeque<>();
        private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();

        synchronized void publish(Event event, int limit) {
            history.addLast(event);
            while (history.size() > limit) history.removeFirst();
            subscribers.removeIf(s -> !s.send(event));
        }

        synchronized void subscribe(String lastEventId, Subscriber subscriber) {
            boolean found = lastEventId != null && history.stream().anyMatch(e -> e.id().equals(lastEventId));
            boolean sending = !found;
            for (Iterator<Event> it = history.iterator(); it.hasNext(); ) {
                Event e = it.next();
                if (sending && !subscriber.send(e)) return;
                if (!sending && e.id().equals(lastEventId)) sending = true;
            }
            subscribers.add(subscriber);
        }
    }
}
