package org.vmtest.coordinator.state;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import org.vmtest.protocol.stream.Line;

/**
 * What happened in each run, for Server-Sent Events: a bounded history per run (so a client reconnecting with
 * {@code Last-Event-ID} gets what it missed) and the clients following it live. Event ids are Kafka coordinates
 * ({@code v2-1031}: topic, partition, offset), so they mean the same to every coordinator.
 *
 * <p>Publishing never waits for a client: each client has its own bounded queue and its own writer
 * ({@link EventStream}) on {@code writers}; a client too slow to keep up is dropped.
 */
public final class EventHub {
    /** @param data what goes on the wire as the event's JSON */
    public record Event(String id, String name, Object data) {
    }

    /** Writes to a client following a run, blocking while the client is slow; returns false once it is gone. */
    public interface Subscriber {
        boolean send(Event event);
    }

    private final int historyPerRun;
    private final long historyBytesPerRun;
    private final int streamQueue;
    private final Executor writers;
    private final Map<String, RunEvents> runs;
    private final Map<String, String> runOfJob;

    /**
     * @param historyBytesPerRun what a run's history may hold, estimated from its lines' text: a count alone would
     *                           let 5000 lines of 16 KiB each take 160 MiB per run
     * @param streamQueue        events a client may fall behind before it is dropped
     * @param writers            runs one writer per client for as long as it follows a run
     */
    public EventHub(int historyPerRun, long historyBytesPerRun, int runsKept, int streamQueue, Executor writers) {
        this.historyPerRun = historyPerRun;
        this.historyBytesPerRun = historyBytesPerRun;
        this.streamQueue = streamQueue;
        this.writers = writers;
        this.runs = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, RunEvents> eldest) {
                return size() > runsKept && eldest.getValue().streams.isEmpty();
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
        events(runId).publish(event, historyPerRun, historyBytesPerRun);
    }

    /**
     * Sends the history after {@code lastEventId} (all of it when the id is null or no longer held), then every new
     * event, to {@code subscriber}, from a writer of its own. {@code onEnd} runs once when the stream ends: the
     * client went away, fell too far behind, or the result was closed.
     */
    public AutoCloseable subscribe(String runId, String lastEventId, Subscriber subscriber, Runnable onEnd) {
        RunEvents events = events(runId);
        EventStream[] holder = new EventStream[1];
        EventStream stream = events.subscribe(lastEventId, backlog -> holder[0] =
                new EventStream(runId, backlog, subscriber, streamQueue, () -> {
                    events.streams.remove(holder[0]);
                    onEnd.run();
                }));
        writers.execute(stream);
        return stream::end;
    }

    /** Sends a comment-like keep-alive, so clients that have gone away are found and dropped. */
    public void ping(Event keepAlive) {
        List<RunEvents> all;
        synchronized (this) {
            all = new ArrayList<>(runs.values());
        }
        all.forEach(r -> r.streams.forEach(s -> s.offer(keepAlive)));
    }

    public synchronized int subscriberCount() {
        return runs.values().stream().mapToInt(r -> r.streams.size()).sum();
    }

    private synchronized RunEvents events(String runId) {
        return runs.computeIfAbsent(runId, id -> new RunEvents());
    }

    /** What an event holds in memory, roughly: a line's text (two bytes a char) and a fixed part for the rest. */
    static long estimatedBytes(Event event) {
        return event.data() instanceof Line line ? 256 + 2L * line.text().length() : 1024;
    }

    private static final class RunEvents {
        private final ArrayDeque<Event> history = new ArrayDeque<>();
        private final List<EventStream> streams = new CopyOnWriteArrayList<>();
        private long historyBytes;

        synchronized void publish(Event event, int limit, long bytesLimit) {
            history.addLast(event);
            historyBytes += estimatedBytes(event);
            while (history.size() > limit || (historyBytes > bytesLimit && history.size() > 1)) {
                historyBytes -= estimatedBytes(history.removeFirst());
            }
            streams.forEach(s -> s.offer(event));
        }

        /** Under the run's lock, so no event falls between the backlog and the live queue. */
        synchronized EventStream subscribe(String lastEventId, java.util.function.Function<List<Event>, EventStream> open) {
            boolean found = lastEventId != null && history.stream().anyMatch(e -> e.id().equals(lastEventId));
            List<Event> backlog = new ArrayList<>();
            boolean sending = !found;
            for (Event e : history) {
                if (sending) backlog.add(e);
                if (!sending && e.id().equals(lastEventId)) sending = true;
            }
            EventStream stream = open.apply(backlog);
            streams.add(stream);
            return stream;
        }
    }
}
