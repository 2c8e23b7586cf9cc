package org.vmtest.analyzer.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.protocol.codec.Decoded;
import org.vmtest.protocol.control.AbortJob;
import org.vmtest.protocol.control.ControlCommand;
import org.vmtest.protocol.dlq.DeadLetter;
import org.vmtest.protocol.dlq.DeadLetterBuilder;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.JobStarted;
import org.vmtest.protocol.stream.Line;
import org.vmtest.protocol.stream.PhaseChanged;
import org.vmtest.protocol.stream.StreamEvent;
import org.vmtest.protocol.stream.StreamEventDecoder;
import org.vmtest.protocol.stream.TestFinished;
import org.vmtest.protocol.verdicts.VerdictEvent;

/**
 * The Kafka side of the analyzer: decodes {@code vmtest.stream} records, keeps each job's {@link JobState} in the
 * {@link JobStateStore}, hands events to the {@link JobAnalyst} and forwards its decisions to the sinks.
 * Undecodable records go to the dead-letter topic and processing goes on.
 */
final class JobEventProcessor implements Processor<String, byte[], String, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(JobEventProcessor.class);
    static final String CONSUMER = "analyzer";

    private final StreamEventDecoder codec = new StreamEventDecoder();
    private final JobAnalyst analyst;
    private final Duration stallCheckInterval;
    private final Duration reportCheckInterval;
    private final Duration forgetSilentJobsAfter;
    private final AnalyzerMetrics metrics;
    private final ExpressControl express;
    private ProcessorContext<String, Object> context;
    private JobStateStore jobs;

    JobEventProcessor(JobAnalyst analyst, Duration stallCheckInterval, Duration reportCheckInterval,
                      Duration forgetSilentJobsAfter, AnalyzerMetrics metrics, ExpressControl express) {
        this.analyst = analyst;
        this.express = express;
        this.metrics = metrics;
        this.forgetSilentJobsAfter = forgetSilentJobsAfter;
        this.stallCheckInterval = stallCheckInterval;
        this.reportCheckInterval = reportCheckInterval;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.jobs = context.getStateStore(AnalyzerTopology.JOB_STORE);
        long now = context.currentSystemTimeMs();
        // This analyzer was not listening while the jobs' records waited: silence counts from now.
        for (Map.Entry<String, JobState> e : jobs.all()) {
            e.getValue().lastActivityMillis = Math.max(e.getValue().lastActivityMillis, now);
        }
        context.schedule(reportCheckInterval, PunctuationType.WALL_CLOCK_TIME, this::closeReports);
        context.schedule(stallCheckInterval, PunctuationType.WALL_CLOCK_TIME, this::checkStalls);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        Decoded<StreamEvent> decoded = codec.decode(record.value());
        if (decoded instanceof Decoded.Malformed<StreamEvent> bad) {
            deadLetter(record, bad.raw(), bad.error());
            return;
        }
        StreamEvent event = ((Decoded.Ok<StreamEvent>) decoded).value();
        long now = context.currentSystemTimeMs();
        if (event instanceof Line line) metrics.line(line.time() == null ? -1 : now - line.time().toEpochMilli());
        try {
            handle(event, now, new Forwarder(record.timestamp()));
        } catch (RuntimeException e) {
            // A record this analyzer cannot handle must not stop every other job: park it, and drop the job's
            // half-updated state for the one the last commit wrote.
            jobs.reload(event.jobId());
            LOG.error("cannot analyze {} of job {}: {}", event.getClass().getSimpleName(), event.jobId(), e.toString(), e);
            deadLetter(record, record.value(), "analyzer failed on this record: " + e);
        }
    }

    private void handle(StreamEvent event, long now, Forwarder out) {
        String jobId = event.jobId();
        JobState s = jobs.get(jobId);
        if (s != null && s.verdictSent) {
            if (event instanceof JobStarted || event instanceof JobFinished) {
                LOG.warn("job {}: {} of attempt {} after its verdict was given; no second verdict", jobId,
                        event.getClass().getSimpleName(), event.attempt());
            }
            return;
        }
        if (event instanceof JobStarted started) {
            if (s == null || started.attempt() > s.attempt) {
                put(jobId, analyst.started(started, now, out));
            } else {
                LOG.debug("job {}: ignoring JobStarted of attempt {} (at attempt {})", jobId, started.attempt(), s.attempt);
            }
            return;
        }
        if (s == null) {
            if (event instanceof JobFinished finished) {
                analyst.finishedUnseen(finished, now, out);
                put(jobId, JobState.verdictSent(jobId, finished.runId(), finished.attempt(), now));
            } else {
                LOG.debug("job {}: no JobStarted seen, ignoring {}", jobId, event.getClass().getSimpleName());
            }
            return;
        }
        if (event.attempt() < s.attempt) {
            LOG.debug("job {}: ignoring {} of stale attempt {} (at attempt {})", jobId,
                    event.getClass().getSimpleName(), event.attempt(), s.attempt);
            return;
        }
        if (event.attempt() > s.attempt) s = s.nextAttempt(event.attempt(), now);
        if (event instanceof Line line) {
            analyst.line(s, line, now, out);
        } else if (event instanceof PhaseChanged changed) {
            analyst.phase(s, changed, now);
        } else if (event instanceof TestFinished test) {
            analyst.test(s, test, now);
        } else if (event instanceof JobFinished finished) {
            analyst.finished(s, finished, now, out);
            put(jobId, JobState.verdictSent(jobId, s.runId, s.attempt, now));
            return;
        }
        put(jobId, s);
    }

    private void closeReports(long now) {
        Forwarder out = new Forwarder(now);
        List<String> changed = new ArrayList<>();
        for (Map.Entry<String, JobState> e : jobs.all()) {
            if (e.getValue().verdictSent) continue;
            if (analyst.tick(e.getValue(), now, out)) changed.add(e.getKey());
        }
        changed.forEach(jobs::changed);
    }

    private void checkStalls(long now) {
        Forwarder out = new Forwarder(now);
        List<String> changed = new ArrayList<>();
        List<String> forgotten = new ArrayList<>();
        for (Map.Entry<String, JobState> e : jobs.all()) {
            JobState s = e.getValue();
            if (s.verdictSent) {
                if (now - s.lastActivityMillis > forgetSilentJobsAfter.toMillis()) forgotten.add(e.getKey());
                continue;
            }
            if (analyst.forget(s, now, forgetSilentJobsAfter, out)) {
                forgotten.add(e.getKey());
            } else if (analyst.checkStall(e.getValue(), now, out)) {
                changed.add(e.getKey());
            }
        }
        changed.forEach(jobs::changed);
        forgotten.forEach(jobs::delete);
    }

    private void put(String jobId, JobState s) {
        jobs.put(jobId, s);
    }

    private void deadLetter(Record<String, byte[]> record, byte[] raw, String error) {
        RecordMetadata meta = context.recordMetadata().orElse(null);
        String topic = meta == null ? "" : meta.topic();
        int partition = meta == null ? -1 : meta.partition();
        long offset = meta == null ? -1 : meta.offset();
        LOG.warn("dead letter: {}[{}]@{} key {}: {}", topic, partition, offset, record.key(), abbreviate(error));
        metrics.deadLetter();
        DeadLetter letter = DeadLetterBuilder.of(topic, partition, offset).consumer(CONSUMER)
                .time(Instant.ofEpochMilli(context.currentSystemTimeMs())).error(error).value(raw).build();
        context.forward(new Record<>(DeadLetterBuilder.key(record.key()), letter, record.timestamp()),
                AnalyzerTopology.DLQ_SINK);
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }

    /** Sends decisions to the sinks, stamped with the input record's time (or the punctuation's). */
    private final class Forwarder implements Emitter {
        private final long timestamp;

        Forwarder(long timestamp) {
            this.timestamp = timestamp;
        }

        @Override
        public void verdict(VerdictEvent event) {
            metrics.published(event);
            context.forward(new Record<>(event.runId(), event, timestamp), AnalyzerTopology.VERDICTS_SINK);
        }

        @Override
        public void control(ControlCommand command) {
            metrics.published(command);
            if (command instanceof AbortJob) express.send(command, timestamp);
            context.forward(new Record<>(command.jobId(), command, timestamp), AnalyzerTopology.CONTROL_SINK);
        }
    }
}
