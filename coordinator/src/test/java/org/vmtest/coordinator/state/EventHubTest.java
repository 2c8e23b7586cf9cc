package org.vmtest.coordinator.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.stream.Line;

class EventHubTest {
    private final ExecutorService writers = Executors.newCachedThreadPool();
    private final CountDownLatch never = new CountDownLatch(1);

    @AfterEach
    void stop() {
        never.countDown();
        writers.shutdownNow();
    }

    private static EventHub.Event event(int n) {
        return new EventHub.Event("s0-" + n, "line", n);
    }

    @Test
    void aClientThatNeverReadsNeitherBlocksThePublisherNorDelaysAnotherClientAndIsDropped() {
        EventHub hub = new EventHub(100, 1 << 20, 10, 1000, writers);
        AtomicBoolean stalledEnded = new AtomicBoolean();
        hub.subscribe("r-1", null, e -> {
            try {
                never.await();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            return false;
        }, () -> stalledEnded.set(true));
        List<Object> received = new CopyOnWriteArrayList<>();
        hub.subscribe("r-1", null, e -> received.add(e.data()), () -> { });

        for (int batch = 0; batch < 10; batch++) {
            long started = System.nanoTime();
            for (int n = batch * 500; n < (batch + 1) * 500; n++) hub.publish("r-1", event(n));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("publishing never waits for a client")
                    .isLessThan(Duration.ofSeconds(2));
            int upTo = (batch + 1) * 500;
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == upTo);
        }

        assertThat(received).hasSize(5000).startsWith(0, 1, 2).endsWith(4998, 4999);
        assertThat(stalledEnded).as("the stalled client is dropped once 1000 events behind").isTrue();
        assertThat(hub.subscriberCount()).isEqualTo(1);
    }

    @Test
    void aResumingClientGetsTheHistoryAfterItsLastEventThenLiveEventsInOrder() {
        EventHub hub = new EventHub(100, 1 << 20, 10, 1000, writers);
        for (int n = 0; n < 5; n++) hub.publish("r-1", event(n));
        List<Object> received = new CopyOnWriteArrayList<>();

        hub.subscribe("r-1", "s0-2", e -> received.add(e.data()), () -> { });
        for (int n = 5; n < 8; n++) hub.publish("r-1", event(n));

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 5);
        assertThat(received).containsExactly(3, 4, 5, 6, 7);
    }

    @Test
    void aRunsHistoryIsBoundedByTheBytesOfItsLinesNotOnlyByTheirCount() {
        EventHub hub = new EventHub(5000, 1 << 20, 10, 10_000, writers);
        String text = "x".repeat(16 * 1024);
        for (int n = 1; n <= 1000; n++) {
            hub.publish("r-1", new EventHub.Event("s0-" + n, "line", new Line("j-1", 1, n, LineSource.CONSOLE,
                    Phase.PROVISIONING, Instant.EPOCH, text, false)));
        }
        List<Object> history = new CopyOnWriteArrayList<>();

        hub.subscribe("r-1", null, e -> history.add(((Line) e.data()).seq()), () -> { });

        long perLine = EventHub.estimatedBytes(new EventHub.Event("x", "line", new Line("j-1", 1, 1, LineSource.CONSOLE,
                Phase.PROVISIONING, Instant.EPOCH, text, false)));
        int fits = (int) ((1 << 20) / perLine);
        await().atMost(Duration.ofSeconds(10)).until(() -> history.size() == fits);
        assertThat(history).as("the newest lines that fit in 1 MiB").endsWith(1000L).startsWith((long) (1001 - fits));
    }

    @Test
    void closingAStreamEndsItOnceAndFreesItsPlace() throws Exception {
        EventHub hub = new EventHub(100, 1 << 20, 10, 1000, writers);
        List<String> ends = new CopyOnWriteArrayList<>();
        AutoCloseable stream = hub.subscribe("r-1", null, e -> true, () -> ends.add("end"));

        stream.close();
        stream.close();

        await().atMost(Duration.ofSeconds(5)).until(() -> hub.subscriberCount() == 0);
        assertThat(ends).containsExactly("end");
    }
}
