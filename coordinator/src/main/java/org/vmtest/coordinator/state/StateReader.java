package org.vmtest.coordinator.state;

import io.dropwizard.lifecycle.Managed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.coordinator.api.Run;
import org.vmtest.protocol.codec.Decoded;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.kafka.KafkaSettings;
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
 */
public final class StateReader implements Managed, Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(StateReader.class);
    private static final JsonSerde<Run> RUNS = JsonSerde.of(Run.class);
    private static final JsonSerde<WorkerStatus> WORKERS = JsonSerde.of(WorkerStatus.class);
    private static final JsonSerde<StreamEvent> STREAM = JsonSerde.of(StreamEvent.class);
    private static final JsonSerde<VerdictEvent> VERDICTS = JsonSerde.of(VerdictEvent.class);

    private final KafkaSettings settings;
    private final Topics topics;
    private final RunView runs;
    private final WorkerRegistry workers;
    private final EventHub events;
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean running;
    private Thread thread;

    public StateReader(KafkaSettings settings, RunView runs, WorkerRegistry workers, EventHub events) {
        this.settings = settings;
        this.topics = settings.topics();
        this.runs = runs;
        this.workers = workers;
        this.events = events;
        runs.onChange(this::runChanged);
    }

    @Override
    public void start() {
        Properties props = settings.assignedConsumer("coordinator-state-reader");
        consumer = new KafkaConsumer<>(props);
        running = true;
        thread = new Thread(this, "coordinator-state-reader");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void stop() throws InterruptedException {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) c.wakeup();
        if (thread != null) thread.join(10_000);
    }

    /** The offset up to which this reader has applied {@code topic}'s partition (next offset to read). */
    public long position(TopicPartition partition) {
        return positions.getOrDefault(partition, 0L);
    }

    @Override
    public void run() {
        KafkaConsumer<String, byte[]> c = consumer;
        try {
            assignAll(c);
            while (running) {
                for (ConsumerRecord<String, byte[]> record : c.poll(Duration.ofMillis(500))) {
                    try {
                        dispatch(record);
                    } catch (RuntimeException e) {
                        LOG.warn("cannot apply {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.toString());
                    }
                    positions.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
                }
            }
        } catch (WakeupException e) {
            if (running) throw e;
        } catch (RuntimeException e) {
            LOG.error("state reader stopped", e);
        } finally {
            c.close(Duration.ofSeconds(5));
        }
    }

    private void assignAll(KafkaConsumer<String, byte[]> c) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(topics.runs(), topics.workers(), topics.stream(), topics.verdicts())) {
            List<PartitionInfo> infos = List.of();
            while (running && infos.isEmpty()) {
                try {
                    infos = c.partitionsFor(topic, Duration.ofSeconds(10));
                } catch (org.apache.kafka.common.errors.TimeoutException e) {
                    LOG.warn("no partitions of {} yet: {}", topic, e.getMessage());
                }
            }
            infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        c.assign(partitions);
        c.seekToBeginning(partitions);
    }

    private void dispatch(ConsumerRecord<String, byte[]> record) {
        String topic = record.topic();
        if (topic.equals(topics.runs())) {
            if (record.value() == null) {
                runs.remove(record.key());
            } else if (RUNS.decode(record.value()) instanceof Decoded.Ok<Run> ok) {
                runs.put(ok.value());
                publishRun(id("r", record), ok.value());
            }
        } else if (topic.equals(topics.workers())) {
            if (record.value() == null) {
                workers.remove(record.key());
            } else if (WORKERS.decode(record.value()) instanceof Decoded.Ok<WorkerStatus> ok) {
                workers.put(ok.value());
            }
        } else if (topic.equals(topics.stream())) {
            if (STREAM.decode(record.value()) instanceof Decoded.Ok<StreamEvent> ok) {
                streamEvent(id("s", record), ok.value());
            }
        } else if (topic.equals(topics.verdicts())) {
            if (VERDICTS.decode(record.value()) instanceof Decoded.Ok<VerdictEvent> ok) {
                VerdictEvent v = ok.value();
                events.publish(v.runId(), new EventHub.Event(id("v", record), eventName(v), v));
            }
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
