package org.vmtest.coordinator.state;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client following a run: a bounded queue filled by whoever publishes (the Kafka readers, which must never
 * wait for a client) and emptied by this stream's own writer, which alone blocks on the client's connection. A
 * client that falls {@code capacity} events behind is dropped; it reconnects with {@code Last-Event-ID} and gets
 * the rest from the run's history.
 */
final class EventStream implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);
    private final String runId;
    private final EventHub.Subscriber subscriber;
    private final BlockingQueue<EventHub.Event> queue;
    private final Runnable onEnd;
    private final AtomicBoolean ended = new AtomicBoolean();
    private List<EventHub.Event> backlog;

    EventStream(String runId, List<EventHub.Event> backlog, EventHub.Subscriber subscriber, int capacity, Runnable onEnd) {
        this.runId = runId;
        this.backlog = backlog;
        this.subscriber = subscriber;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.onEnd = onEnd;
    }

    /** Queues an event without waiting; a stream whose queue is full is ended. */
    void offer(EventHub.Event event) {
        if (ended.get()) return;
        if (!queue.offer(event)) {
            LOG.info("dropping a client of run {}: it is {} events behind", runId, queue.size());
            end();
        }
    }

    boolean isEnded() {
        return ended.get();
    }

    /** The writer: the history the client missed, then every queued event, until the client or the stream ends. */
    @Override
    public void run() {
        try {
            for (EventHub.Event e : backlog) {
                if (ended.get() || !subscriber.send(e)) return;
            }
            backlog = null;
            while (!ended.get()) {
                EventHub.Event e = queue.poll(1, TimeUnit.SECONDS);
                if (e != null && !subscriber.send(e)) return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            end();
        }
    }

    void end() {
        if (ended.compareAndSet(false, true)) {
            queue.clear();
            onEnd.run();
        }
    }
}
