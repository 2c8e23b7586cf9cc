package org.vmtest.coordinator.state;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.coordinator.api.Run;
import org.vmtest.protocol.codec.Decoded;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.dlq.DeadLetter;
import org.vmtest.protocol.dlq.DeadLetterBuilder;
import org.vmtest.protocol.kafka.Topics;
import org.vmtest.protocol.runs.RunCommand;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.JobStarted;
import org.vmtest.protocol.stream.PhaseChanged;
import org.vmtest.protocol.stream.StreamEvent;
import org.vmtest.protocol.stream.TestFinished;
import org.vmtest.protocol.verdicts.JobVerdict;
import org.vmtest.protocol.verdicts.RunVerdict;
import org.vmtest.protocol.verdicts.VerdictEvent;
import org.vmtest.protocol.workers.WorkerStatus;

/**
 * The coordinators' shared Kafka Streams application: folds each run's commands, its jobs' lifecycle (re-keyed
 * from job id to run id) and their {@code JobVerdict}s into the run's state on the compacted {@code vmtest.runs}
 * topic, and emits the {@code RunVerdict} to {@code vmtest.verdicts} in the same transaction as the state that
 * records it, so it goes out exactly once however many coordinators run.
 *
 * <p>It also removes runs past their {@link RunRetention}: the fold's store holds every run it ever saw, and a run
 * deleted from {@code vmtest.runs} behind its back would stay there (restored from the changelog at every start,
 * and written back to the topic by the next stray record for it). So the sweep runs here, over the store, and
 * deletes the run from the store and writes its tombstone in the same exactly-once transaction: the fold stays the
 * one writer of a run's fate on {@code vmtest.runs} (the submit transaction only writes the first, QUEUED state).
 */
public final class RunStateTopology {
    public static final String STORE = "run-state";
    static final String CONSUMER_NAME = "coordinator-run-state";
    private static final Logger LOG = LoggerFactory.getLogger(RunStateTopology.class);
    private static final Serde<Run> RUN_SERDE = JsonSerde.of(Run.class).serde();
    private static final Serde<RunInput> INPUT_SERDE = JsonSerde.of(RunInput.class).serde();
    private static final Serde<VerdictEvent> VERDICT_SERDE = JsonSerde.of(VerdictEvent.class).serde();
    private static final Serde<DeadLetter> DLQ_SERDE = JsonSerde.of(DeadLetter.class).serde();
    private static final JsonSerde<RunCommand> COMMANDS = JsonSerde.of(RunCommand.class);
    private static final JsonSerde<StreamEvent> STREAM = JsonSerde.of(StreamEvent.class);
    private static final JsonSerde<VerdictEvent> VERDICTS = JsonSerde.of(VerdictEvent.class);
    private static final JsonSerde<WorkerStatus> WORKERS = JsonSerde.of(WorkerStatus.class);
    private static final byte[] LINE_TYPE = "\"type\":\"Line\"".getBytes(StandardCharsets.UTF_8);

    private RunStateTopology() {
    }

    /** A run past its retention, on its way from the fold to {@code vmtest.runs}, where it becomes a tombstone. */
    private record Removed(String runId) {
    }

    public static Topology build(Topics topics, Clock clock, RunRetention retention) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), RUN_SERDE));
        Consumed<String, byte[]> raw = Consumed.with(Serdes.String(), Serdes.ByteArray());

        // Worker heartbeats change no run, and every coordinator reads them itself; they pass through here only so
        // that a malformed one reaches the dead-letter topic once, not once per coordinator. Tombstones are legal.
        decoded(builder.stream(topics.workers(), raw).filter((k, v) -> v != null, Named.as("drop-tombstones")),
                "workers", topics, clock, bytes -> WORKERS.decode(bytes), status -> null);

        KStream<String, RunInput> commands = decoded(builder.stream(topics.runCommands(), raw), "commands", topics, clock,
                bytes -> COMMANDS.decode(bytes), RunInput.Command::new);

        KStream<String, RunInput> lifecycle = decoded(
                builder.stream(topics.stream(), raw).filter((k, v) -> !isLine(v), Named.as("drop-lines")),
                "lifecycle", topics, clock, bytes -> STREAM.decode(bytes), RunInput.Lifecycle::new)
                .selectKey((jobId, input) -> runIdOf(((RunInput.Lifecycle) input).event()), Named.as("key-by-run"))
                .filter((runId, input) -> runId != null, Named.as("drop-unowned"))
                .repartition(Repartitioned.<String, RunInput>as("lifecycle-by-run")
                        .withKeySerde(Serdes.String()).withValueSerde(INPUT_SERDE));

        KStream<String, RunInput> verdicts = decoded(builder.stream(topics.verdicts(), raw), "verdicts", topics, clock,
                bytes -> VERDICTS.decode(bytes), v -> v instanceof JobVerdict jv ? new RunInput.Verdict(jv) : null)
                .filter((runId, input) -> runId != null && runId.equals(((RunInput.Verdict) input).verdict().runId()),
                        Named.as("verdicts-keyed-by-run"));

        KStream<String, Object> out = commands.merge(lifecycle, Named.as("merge-lifecycle"))
                .merge(verdicts, Named.as("merge-verdicts"))
                .process(() -> new FoldProcessor(clock, retention), Named.as("fold"), STORE);
        out.split(Named.as("out-"))
                .branch((k, v) -> v instanceof Run || v instanceof Removed, Branched.withConsumer(s -> s
                        .mapValues(v -> v instanceof Run run ? run : null, Named.as("tombstone-removed"))
                        .to(topics.runs(), Produced.with(Serdes.String(), RUN_SERDE)), "runs"))
                .branch((k, v) -> v instanceof RunVerdict, Branched.withConsumer(s -> s.mapValues(v -> (VerdictEvent) v)
                        .to(topics.verdicts(), Produced.with(Serdes.String(), VERDICT_SERDE)), "verdicts"))
                .noDefaultBranch();
        return builder.build();
    }

    /** A console line is most of the stream's traffic and never changes a run: skip it without parsing it. */
    static boolean isLine(byte[] value) {
        if (value == null) return false;
        int limit = Math.min(value.length, 64) - LINE_TYPE.length;
        outer:
        for (int i = 0; i <= limit; i++) {
            for (int j = 0; j < LINE_TYPE.length; j++) {
                if (value[i + j] != LINE_TYPE[j]) continue outer;
            }
            return true;
        }
        return false;
    }

    private static String runIdOf(StreamEvent event) {
        if (event instanceof JobStarted s) return s.runId();
        if (event instanceof PhaseChanged p) return p.runId();
        if (event instanceof TestFinished t) return t.runId();
        if (event instanceof JobFinished f) return f.runId();
        return null;
    }

    /** Decodes a topic's bytes; records that do not decode go to the dead-letter topic, the rest on as RunInput. */
    private static <T> KStream<String, RunInput> decoded(KStream<String, byte[]> in, String name, Topics topics,
                                                         Clock clock, Function<byte[], Decoded<T>> decode,
                                                         Function<T, RunInput> wrap) {
        KStream<String, Object> decoded = in.processValues(() -> new DecodeProcessor<>(decode, wrap, clock),
                Named.as("decode-" + name));
        decoded.filter((k, v) -> v instanceof DeadLetter, Named.as("malformed-" + name))
                .mapValues(v -> (DeadLetter) v, Named.as("dead-letter-" + name))
                .selectKey((k, v) -> DeadLetterBuilder.key(k), Named.as("dead-letter-key-" + name))
                .to(topics.dlq(), Produced.with(Serdes.String(), DLQ_SERDE));
        return decoded.filter((k, v) -> v instanceof RunInput, Named.as("decoded-" + name))
                .mapValues(v -> (RunInput) v, Named.as("as-input-" + name));
    }

    private static final class DecodeProcessor<T> implements FixedKeyProcessor<String, byte[], Object> {
        private final Function<byte[], Decoded<T>> decode;
        private final Function<T, RunInput> wrap;
        private final Clock clock;
        private FixedKeyProcessorContext<String, Object> context;

        DecodeProcessor(Function<byte[], Decoded<T>> decode, Function<T, RunInput> wrap, Clock clock) {
            this.decode = decode;
            this.wrap = wrap;
            this.clock = clock;
        }

        @Override
        public void init(FixedKeyProcessorContext<String, Object> context) {
            this.context = context;
        }

        @Override
        public void process(FixedKeyRecord<String, byte[]> record) {
            Decoded<T> decoded = decode.apply(record.value());
            if (decoded instanceof Decoded.Ok<T> ok) {
                RunInput input = wrap.apply(ok.value());
                if (input != null) context.forward(record.withValue(input));
                return;
            }
            Decoded.Malformed<T> bad = (Decoded.Malformed<T>) decoded;
            RecordMetadata at = context.recordMetadata().orElse(null);
            LOG.warn("malformed record on {}: {}", at == null ? "?" : at.topic(), bad.error());
            DeadLetter letter = DeadLetterBuilder.of(at == null ? "?" : at.topic(), at == null ? -1 : at.partition(),
                    at == null ? -1 : at.offset()).consumer(CONSUMER_NAME).time(clock.instant()).error(bad.error())
                    .value(record.value()).build();
            context.forward(record.withValue(letter));
        }
    }

    private static final class FoldProcessor implements Processor<String, RunInput, String, Object> {
        private final Clock clock;
        private final RunRetention retention;
        private ProcessorContext<String, Object> context;
        private KeyValueStore<String, Run> store;

        FoldProcessor(Clock clock, RunRetention retention) {
            this.clock = clock;
            this.retention = retention;
        }

        @Override
        public void init(ProcessorContext<String, Object> context) {
            this.context = context;
            this.store = context.getStateStore(STORE);
            context.schedule(retention.checkEvery(), PunctuationType.WALL_CLOCK_TIME, this::sweep);
        }

        /**
         * Removes this task's runs past their retention. Each coordinator sweeps only the partitions it owns, so a
         * tombstone is normally written once; should two write it (a zombie during a rebalance), the second
         * tombstone for a key changes nothing: the run is gone either way. The tombstone carries the stream's own
         * wall-clock time: the broker refuses a record time far from its own, whatever the injected clock says.
         */
        private void sweep(long wallClockMillis) {
            Instant now = clock.instant();
            List<String> removed = new ArrayList<>();
            List<String> forgotten = new ArrayList<>();
            try (KeyValueIterator<String, Run> all = store.all()) {
                while (all.hasNext()) {
                    KeyValue<String, Run> entry = all.next();
                    switch (retention.outcome(entry.value, now)) {
                        case REMOVE -> removed.add(entry.key);
                        case FORGET -> forgotten.add(entry.key);
                        case KEEP -> { }
                    }
                }
            }
            for (String runId : removed) {
                store.delete(runId);
                context.forward(new Record<String, Object>(runId, new Removed(runId), wallClockMillis));
            }
            forgotten.forEach(store::delete);
            if (!removed.isEmpty()) {
                LOG.info("removed {} run(s) that ended more than {} ago", removed.size(), retention.keep());
            }
        }

        @Override
        public void process(Record<String, RunInput> record) {
            String runId = record.key();
            if (runId == null || record.value() == null) return;
            LOG.debug("run {} <- {}", runId, record.value().getClass().getSimpleName());
            Run before = store.get(runId);
            Run current = before == null ? RunFold.empty(runId) : before;
            RunFold.Step step = RunFold.apply(current, record.value());
            if (step.run().equals(before)) return;
            store.put(runId, step.run());
            if (step.run().submitted()) context.forward(record.withValue(step.run()));
            step.verdict().ifPresent(verdict -> {
                LOG.info("run {} verdict {}", runId, verdict.verdict());
                context.forward(record.withValue(verdict));
            });
        }
    }
}
