package org.vmtest.coordinator.archive;

import io.dropwizard.lifecycle.Managed;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.codec.Decoded;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.stream.JobStarted;
import org.vmtest.protocol.stream.Line;
import org.vmtest.protocol.stream.StreamEvent;
import org.vmtest.protocol.verdicts.Finding;
import org.vmtest.protocol.verdicts.Thought;
import org.vmtest.protocol.verdicts.VerdictEvent;

/**
 * Writes every job's logs under the archive directory as its records arrive: {@code console.log},
 * {@code install.log}, {@code test.log}, {@code stream.jsonl} and {@code thoughts.log}. Offsets are committed
 * (consumer group {@code groupId}) only after the files are flushed, so a restart neither loses nor, beyond the
 * last uncommitted batch, repeats lines. Coordinators sharing one archive directory share the group id and split
 * the work; coordinators with their own directories need their own group ids.
 *
 * <p>A batch is written whole or not at all: when a write fails (a full disk), every file the batch touched is cut
 * back to its length before the batch, the consumer is sent back to the batch's first records, nothing is
 * committed, and the batch is tried again after a pause, until the disk takes it. Meanwhile {@link #failure()}
 * says why, for the health check.
 */
public final class LogArchive implements Managed, Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(LogArchive.class);
    private static final JsonSerde<StreamEvent> STREAM = JsonSerde.of(StreamEvent.class);
    private static final JsonSerde<VerdictEvent> VERDICTS = JsonSerde.of(VerdictEvent.class);
    private static final int MAX_OPEN_FILES = 64;
    private static final Duration RETRY_FIRST = Duration.ofSeconds(1);
    private static final Duration RETRY_MAX = Duration.ofSeconds(30);

    private final KafkaSettings settings;
    private final String groupId;
    private final ArchiveLayout layout;
    private final Function<String, Optional<String>> runOfJob;
    private final Map<String, String> jobRuns = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > 10_000;
        }
    };
    private final Map<Path, OutputStream> open = new LinkedHashMap<>(16, 0.75f, true);
    private static final List<LogName> OUTPUT_LOGS = List.of(LogName.CONSOLE, LogName.INSTALL, LogName.TEST, LogName.STREAM);
    private final long maxJobOutputBytes;
    /** Output bytes archived per job directory; forgotten after a failed batch, and re-read from the files. */
    private final Map<Path, Long> outputUsed = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Path, Long> eldest) {
            return size() > 10_000;
        }
    };
    private final java.util.Set<Path> cutMarked = new java.util.HashSet<>();
    /** Files the current batch wrote to, and their lengths before it (-1: the file did not exist). */
    private final Map<Path, Long> batchStart = new LinkedHashMap<>();
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean running;
    private volatile String failure;
    private Thread thread;

    /** @param runOfJob where to look up a job's run when its {@code JobStarted} was read before a restart */
    /** @param maxJobOutputBytes output of one job kept in the archive; past it, the job's logs say they were cut */
    public LogArchive(KafkaSettings settings, String groupId, ArchiveLayout layout,
                      Function<String, Optional<String>> runOfJob, long maxJobOutputBytes) {
        this.maxJobOutputBytes = maxJobOutputBytes;
        this.settings = settings;
        this.groupId = groupId;
        this.layout = layout;
        this.runOfJob = runOfJob;
    }

    @Override
    public void start() throws IOException {
        Files.createDirectories(layout.root());
        Properties props = settings.consumer("coordinator-archive", groupId);
        // Offsets are committed only after the files are flushed.
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer = new KafkaConsumer<>(props);
        running = true;
        thread = new Thread(this, "coordinator-archive");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void stop() throws InterruptedException {
        running = false;
        synchronized (this) {
            notifyAll();
        }
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) c.wakeup();
        if (thread != null) thread.join(10_000);
    }

    /** Why the archive is not keeping up (a write failed and is being retried, or it stopped); empty when it is. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public void run() {
        KafkaConsumer<String, byte[]> c = consumer;
        Duration pause = RETRY_FIRST;
        try {
            c.subscribe(List.of(settings.topics().stream(), settings.topics().verdicts()));
            while (running) {
                ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(500));
                if (records.isEmpty()) continue;
                try {
                    for (ConsumerRecord<String, byte[]> record : records) archive(record);
                    flushAll();
                } catch (IOException e) {
                    String first = records.iterator().next().topic();
                    failure = "cannot write the archive in " + layout.root() + " (" + e + "); retrying every "
                            + pause.toSeconds() + " s, nothing is committed until it succeeds";
                    LOG.error("{}; batch from {} sent back", failure, first);
                    rollBack(c, records);
                    pauseBeforeRetry(pause);
                    pause = pause.multipliedBy(2).compareTo(RETRY_MAX) > 0 ? RETRY_MAX : pause.multipliedBy(2);
                    continue;
                }
                c.commitSync();
                batchStart.clear();
                if (failure != null) LOG.info("the archive writes again");
                failure = null;
                pause = RETRY_FIRST;
            }
        } catch (WakeupException e) {
            if (running) throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = "the log archive stopped: " + e;
            LOG.error("log archive stopped", e);
        } finally {
            closeAll();
            c.close(Duration.ofSeconds(5));
        }
    }

    /** Undoes what a failed batch wrote and sends the consumer back to its first records. */
    private void rollBack(KafkaConsumer<String, byte[]> c, ConsumerRecords<String, byte[]> records) {
        closeAll();
        batchStart.forEach((file, length) -> {
            try {
                if (length < 0) {
                    Files.deleteIfExists(file);
                } else {
                    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        ch.truncate(length);
                    }
                }
            } catch (IOException e) {
                // Truncating frees space and needs none; if even that fails the next attempt fails too and retries.
                LOG.warn("cannot cut {} back to {} bytes: {}", file, length, e.toString());
            }
        });
        batchStart.clear();
        outputUsed.clear();
        cutMarked.clear();
        for (TopicPartition partition : records.partitions()) {
            c.seek(partition, records.records(partition).get(0).offset());
        }
    }

    /** Waits before the next attempt; a stopping archive does not wait. */
    private void pauseBeforeRetry(Duration pause) throws InterruptedException {
        long until = System.nanoTime() + pause.toNanos();
        synchronized (this) {
            while (running && System.nanoTime() < until) wait(Math.max(1, (until - System.nanoTime()) / 1_000_000));
        }
    }

    private void archive(ConsumerRecord<String, byte[]> record) throws IOException {
        if (record.topic().equals(settings.topics().stream())) {
            if (STREAM.decode(record.value()) instanceof Decoded.Ok<StreamEvent> ok) {
                streamEvent(ok.value(), record.value());
            }
        } else if (VERDICTS.decode(record.value()) instanceof Decoded.Ok<VerdictEvent> ok) {
            verdictEvent(ok.value());
        }
    }

    private void streamEvent(StreamEvent event, byte[] raw) throws IOException {
        if (event instanceof JobStarted s) jobRuns.put(s.jobId(), s.runId());
        String runId = jobRuns.get(event.jobId());
        if (runId == null) {
            runId = runOfJob.apply(event.jobId()).orElse(null);
            if (runId == null) {
                LOG.warn("no run known for job {}; its record is not archived", event.jobId());
                return;
            }
            jobRuns.put(event.jobId(), runId);
        }
        String run = runId;
        Optional<Path> stream = layout.log(run, event.jobId(), LogName.STREAM);
        Optional<Path> log = Optional.empty();
        byte[] text = new byte[0];
        if (event instanceof Line line) {
            log = logOf(line).flatMap(name -> layout.log(run, line.jobId(), name));
            text = (line.continued() ? line.text() : line.text() + "\n").getBytes(StandardCharsets.UTF_8);
            if (stream.isPresent() && !withinOutputCap(stream.get().getParent(), raw.length + 1L + text.length)) {
                if (log.isPresent()) markCut(log.get());
                return;
            }
        }
        if (stream.isPresent()) {
            write(stream.get(), raw);
            write(stream.get(), new byte[] {'\n'});
        }
        if (log.isPresent()) write(log.get(), text);
    }

    /**
     * Takes {@code bytes} of a job's output allowance ({@code maxJobOutputBytes}: its lines in the logs and in
     * {@code stream.jsonl}); false once the job has used it up. What a job used is read from its files the first
     * time, so the cap holds across restarts.
     */
    private boolean withinOutputCap(Path jobDir, long bytes) throws IOException {
        Long used = outputUsed.get(jobDir);
        if (used == null) {
            used = 0L;
            for (LogName name : OUTPUT_LOGS) {
                Path file = jobDir.resolve(name.fileName());
                if (Files.exists(file)) used += Files.size(file);
            }
            if (used >= maxJobOutputBytes) {
                // Cut before a restart: its logs already say so.
                for (LogName name : OUTPUT_LOGS) cutMarked.add(jobDir.resolve(name.fileName()));
            }
        }
        if (used + bytes > maxJobOutputBytes) {
            outputUsed.put(jobDir, Math.max(used, maxJobOutputBytes));
            return false;
        }
        outputUsed.put(jobDir, used + bytes);
        return true;
    }

    private void markCut(Path log) throws IOException {
        if (cutMarked.add(log)) {
            write(log, ("[vmtest: the archive keeps " + maxJobOutputBytes + " bytes of this job's output"
                    + " (maxJobOutputBytes); the rest was cut here. The analyzer read every line from Kafka.]\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
    }

    private static Optional<LogName> logOf(Line line) {
        if (line.source() == LineSource.CONSOLE) return Optional.of(LogName.CONSOLE);
        if (line.source() == LineSource.SSH_STDOUT || line.source() == LineSource.SSH_STDERR) {
            if (line.phase() == Phase.INSTALLATION) return Optional.of(LogName.INSTALL);
            if (line.phase() == Phase.TESTING) return Optional.of(LogName.TEST);
        }
        return Optional.empty();
    }

    private void verdictEvent(VerdictEvent event) throws IOException {
        String text;
        String jobId;
        if (event instanceof Finding f) {
            jobId = f.jobId();
            text = f.time() + " FINDING " + f.category() + "/" + f.action() + " " + f.patternId() + " [" + f.phase()
                    + " line " + f.lineSeq() + "] " + f.title() + (f.line().isEmpty() ? "" : " :: " + f.line()) + "\n";
        } else if (event instanceof Thought t) {
            jobId = t.jobId();
            text = t.time() + " THOUGHT saw: " + t.observed() + " | decided: " + t.decision()
                    + (t.reason().isEmpty() ? "" : " | because: " + t.reason()) + "\n";
        } else {
            return;
        }
        Optional<Path> file = jobId == null
                ? layout.runDir(event.runId()).map(d -> d.resolve(LogName.THOUGHTS.fileName()))
                : layout.log(event.runId(), jobId, LogName.THOUGHTS);
        if (file.isPresent()) write(file.get(), text.getBytes(StandardCharsets.UTF_8));
    }

    private void write(Path file, byte[] bytes) throws IOException {
        if (!batchStart.containsKey(file)) batchStart.put(file, Files.exists(file) ? Files.size(file) : -1L);
        OutputStream out = open.get(file);
        if (out == null) {
            Files.createDirectories(file.getParent());
            out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND));
            open.put(file, out);
            if (open.size() > MAX_OPEN_FILES) closeEldest();
        }
        out.write(bytes);
    }

    private void closeEldest() throws IOException {
        var it = open.entrySet().iterator();
        var eldest = it.next();
        it.remove();
        eldest.getValue().close();
    }

    private void flushAll() throws IOException {
        for (OutputStream out : open.values()) out.flush();
    }

    private void closeAll() {
        open.values().forEach(out -> {
            try {
                out.close();
            } catch (IOException e) {
                LOG.warn("closing an archive file: {}", e.getMessage());
            }
        });
        open.clear();
    }
}
