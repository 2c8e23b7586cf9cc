package org.vmtest.coordinator.state;

import io.dropwizard.lifecycle.Managed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.issues.KnownIssueRegistry;
import org.vmtest.coordinator.api.Run;
import org.vmtest.protocol.codec.Decoded;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.issues.KnownIssue;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.kafka.Partitions;
import org.vmtest.protocol.kafka.Topics;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.JobStarted;
import org.vmtest.protocol.stream.Line;
import org.vmtest.protocol.stream.PhaseChanged;
import org.vmtest.protocol.stream.StreamEvent;
import org.vmtest.protocol.stream.TestFinished;
import org.vmtest.protocol.verdicts.Finding;
import org.vmtest.protocol.verdicts.JobVerdict;
import org.vmtest.protocol.verdicts.RunVerdict;
import org.vmtest.protocol.verdicts.Thought;
import org.vmtest.protocol.verdicts.VerdictEvent;
import org.vmtest.protocol.workers.WorkerStatus;

/**
 * Reads {@code vmtest.runs}, {@code vmtest.workers}, {@code vmtest.stream} and {@code vmtest.verdicts} from their
 * beginning, with no consumer group, into this coordinator's memory: the run view, the worker registry and the
 * event history. Every coordinator reads everything, so they all show the same, and a restarted one rebuilds.
 * Malformed records are skipped here: the run-state stream routes them (heartbeats included) to the dead-letter
 * topic, once.
 *
 * <p>Two consumers, two threads: the run and worker topics are small and compacted, and the API waits until they
 * are read ({@link InitialLoad}); the stream and verdict history may be long, is only needed for event replay, and
 * must not hold that up. The history reader starts after the initial load, so it knows every job's run.
 */
public final class StateReader implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(StateReader.class);
    private static final JsonSerde<Run> RUNS = JsonSerde.of(Run.class);
    private static final JsonSerde<WorkerStatus> WORKERS = JsonSerde.of(WorkerStatus.class);
    private static final JsonSerde<KnownIssue> KNOWN_ISSUES = JsonSerde.of(KnownIssue.class);
    private static final JsonSerde<StreamEvent> STREAM = JsonSerde.of(StreamEvent.class);
    private static final JsonSerde<VerdictEvent> VERDICTS = JsonSerde.of(VerdictEvent.class);

    private final KafkaSettings settings;
    private final Topics topics;
    private final RunView runs;
    private final WorkerRegistry workers;
    private final EventHub events;
    private final InitialLoad initialLoad;
    private final KnownIssueRegistry knownIssues;
    private final List<TopicLoop> loops = new ArrayList<>();

    public StateReader(KafkaSettings settings, RunView runs, WorkerRegistry workers, EventHub events,
                       InitialLoad initialLoad) {
        this(settings, runs, workers, events, initialLoad, new KnownIssueRegistry());
    }

    public StateReader(KafkaSettings settings, RunView runs, WorkerRegistry workers, EventHub events,
                       InitialLoad initialLoad, KnownIssueRegistry knownIssues) {
        this.knownIssues = knownIssues;
        this.settings = settings;
        this.topics = settings.topics();
        this.runs = runs;
        this.workers = workers;
        this.events = events;
        this.initialLoad = initialLoad;
        runs.onChange(this::runChanged);
    }

    @Override
    public void start() {
        loops.add(new TopicLoop("coordinator-state-reader", List.of(topics.runs(), topics.workers(), topics.knownIssues()),
                true,
                this::applyState));
        loops.add(new TopicLoop("coordinator-history-reader", List.of(topics.stream(), topics.verdicts()), false,
                this::applyHistory));
        loops.forEach(TopicLoop::start);
    }

    @Override
    public void stop() throws InterruptedException {
        for (TopicLoop loop : loops) loop.stopping();
        for (TopicLoop loop : loops) loop.join();
    }

    private void applyState(ConsumerRecord<String, byte[]> record) {
        if (record.topic().equals(topics.runs())) {
            if (record.value() == null) {
                // a run past its runRetention (RunStateTopology's sweep): it leaves memory as it leaves the topic
                runs.remove(record.key());
            } else if (RUNS.decode(record.value()) instanceof Decoded.Ok<Run> ok) {
                runs.put(ok.value());
                publishRun(id("r", record), ok.value());
            }
        } else if (record.topic().equals(topics.knownIssues())) {
            if (record.value() == null) {
                knownIssues.remove(record.key());
            } else if (KNOWN_ISSUES.decode(record.value()) instanceof Decoded.Ok<KnownIssue> ok) {
                knownIssues.put(ok.value());
            }
        } else if (record.value() == null) {
            workers.remove(record.key());
        } else if (WORKERS.decode(record.value()) instanceof Decoded.Ok<WorkerStatus> ok) {
            workers.put(ok.value());
        }
    }

    private void applyHistory(ConsumerRecord<String, byte[]> record) {
        if (record.topic().equals(topics.stream())) {
            if (STREAM.decode(record.value()) instanceof Decoded.Ok<StreamEvent> ok) {
                streamEvent(id("s", record), ok.value());
            }
        } else if (VERDICTS.decode(record.value()) instanceof Decoded.Ok<VerdictEvent> ok) {
            VerdictEvent v = ok.value();
            events.publish(v.runId(), new EventHub.Event(id("v", record), eventName(v), v));
        }
    }

    /** One consumer assigned every partition of some topics, read from the beginning on its own thread. */
    private final class TopicLoop implements Runnable {
        private final String name;
        private final List<String> topicNames;
        private final boolean tracksInitialLoad;
        private final Consumer<ConsumerRecord<String, byte[]>> apply;
        private final Map<TopicPartition, Long> loadTargets = new HashMap<>();
        private volatile KafkaConsumer<String, byte[]> consumer;
        private volatile boolean running;
        private Thread thread;

        TopicLoop(String name, List<String> topicNames, boolean tracksInitialLoad,
                  Consumer<ConsumerRecord<String, byte[]>> apply) {
            this.name = name;
            this.topicNames = topicNames;
            this.tracksInitialLoad = tracksInitialLoad;
            this.apply = apply;
        }

        void start() {
            Properties props = settings.assignedConsumer(name);
            // it reads topics from their beginning at every start: large polls, fewer round trips
            props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
            consumer = new KafkaConsumer<>(props);
            running = true;
            thread = new Thread(this, name);
            thread.setDaemon(true);
            thread.start();
        }

        void stopping() {
            running = false;
            KafkaConsumer<String, byte[]> c = consumer;
            if (c != null) c.wakeup();
        }

        void join() throws InterruptedException {
            if (thread != null) thread.join(10_000);
        }

        @Override
        public void run() {
            KafkaConsumer<String, byte[]> c = consumer;
            try {
                long started = System.nanoTime();
                if (!tracksInitialLoad) {
                    while (running && !initialLoad.await(Duration.ofMillis(500))) {
                        // the history is replayed against a complete run view
                    }
                }
                assignAll(c);
                while (running) {
                    if (tracksInitialLoad && !initialLoad.isDone()) checkInitialLoad(c, started);
                    for (ConsumerRecord<String, byte[]> record : c.poll(Duration.ofMillis(500))) {
                        try {
                            apply.accept(record);
                        } catch (RuntimeException e) {
                            LOG.warn("cannot apply {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                                    e.toString());
                        }
                    }
                }
            } catch (WakeupException e) {
                if (running) throw e;
            } catch (RuntimeException e) {
                LOG.error("{} stopped", name, e);
            } finally {
                c.close(Duration.ofSeconds(5));
            }
        }

        private void assignAll(KafkaConsumer<String, byte[]> c) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topicNames) {
                List<TopicPartition> found = List.of();
                while (running && found.isEmpty()) {
                    try {
                        found = Partitions.of(c, topic, Duration.ofSeconds(10));
                    } catch (TimeoutException e) {
                        LOG.warn("no partitions of {} yet: {}", topic, e.getMessage());
                    }
                }
                partitions.addAll(found);
            }
            Partitions.assign(c, partitions, Partitions.From.BEGINNING);
            while (tracksInitialLoad && running && loadTargets.isEmpty() && !partitions.isEmpty()) {
                try {
                    loadTargets.putAll(c.endOffsets(partitions, Duration.ofSeconds(10)));
                } catch (TimeoutException e) {
                    LOG.warn("cannot read where {} end yet: {}", topicNames, e.getMessage());
                }
            }
        }

        private void checkInitialLoad(KafkaConsumer<String, byte[]> c, long started) {
            long behind = 0;
            try {
                for (Map.Entry<TopicPartition, Long> target : loadTargets.entrySet()) {
                    behind += Math.max(0, target.getValue() - c.position(target.getKey(), Duration.ofSeconds(5)));
                }
            } catch (TimeoutException e) {
                initialLoad.progress("reading run state from Kafka: no answer from the broker (" + e.getMessage() + ")");
                return;
            }
            if (behind > 0) {
                initialLoad.progress("reading run state from Kafka: " + behind + " record(s) to go");
                return;
            }
            String summary = "run state read: " + runs.all().size() + " run(s) in "
                    + (System.nanoTime() - started) / 1_000_000 + " ms";
            initialLoad.done(summary);
            LOG.info(summary);
        }
    }

    private void streamEvent(String id, StreamEvent event) {
        if (event instanceof JobStarted s) events.jobBelongsTo(s.jobId(), s.runId());
        String runId = events.runOfJob(event.jobId()).or(() -> runs.runOfJob(event.jobId())).orElse(null);
        if (runId == null) return;
        events.publish(runId, new EventHub.Event(id, eventName(event), event));
    }

    private void runChanged(Run before, Run after) {
        after.jobs().forEach(j -> events.jobBelongsTo(j.id(), after.id()));
    }

    private void publishRun(String id, Run run) {
        events.publish(run.id(), new EventHub.Event(id, "run", run));
    }

    private static String id(String tag, ConsumerRecord<?, ?> record) {
        return tag + record.partition() + "-" + record.offset();
    }

    static String eventName(StreamEvent e) {
        if (e instanceof Line) return "line";
        if (e instanceof JobStarted) return "job-started";
        if (e instanceof PhaseChanged) return "phase";
        if (e instanceof TestFinished) return "test";
        if (e instanceof JobFinished) return "job-finished";
        return "stream";
    }

    static String eventName(VerdictEvent e) {
        if (e instanceof Finding) return "finding";
        if (e instanceof Thought) return "thought";
        if (e instanceof JobVerdict) return "job-verdict";
        if (e instanceof RunVerdict) return "run-verdict";
        return "verdict";
    }
}
