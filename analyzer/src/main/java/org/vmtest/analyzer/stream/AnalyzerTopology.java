package org.vmtest.analyzer.stream;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.vmtest.analyzer.AnalyzerConfig;
import org.vmtest.issues.KnownIssueRegistry;
import org.vmtest.analyzer.patterns.PatternLibrary;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.control.ControlCommand;
import org.vmtest.protocol.dlq.DeadLetter;
import org.vmtest.protocol.kafka.Topics;
import org.vmtest.protocol.verdicts.VerdictEvent;

/**
 * The analyzer's topology: {@code vmtest.stream} → one stateful processor → {@code vmtest.verdicts},
 * {@code vmtest.control} and {@code vmtest.dlq}. Values enter as raw bytes so that a record that does not decode
 * reaches the dead-letter topic instead of stopping the stream thread.
 */
public final class AnalyzerTopology {
    static final String SOURCE = "stream-source";
    static final String PROCESSOR = "job-analysis";
    static final String JOB_STORE = "analyzer-jobs";
    static final String VERDICTS_SINK = "verdicts-sink";
    static final String CONTROL_SINK = "control-sink";
    static final String DLQ_SINK = "dlq-sink";

    private AnalyzerTopology() {
    }

    public static Topology build(AnalyzerConfig config, PatternLibrary library) {
        return build(config, library, AnalyzerMetrics.none(), ExpressControl.none());
    }

    public static Topology build(AnalyzerConfig config, PatternLibrary library, AnalyzerMetrics metrics,
                                 ExpressControl express) {
        return build(config, library, metrics, express, new KnownIssueRegistry());
    }

    /** @param knownIssues matched against findings and verdicts as they go out, never against lines */
    public static Topology build(AnalyzerConfig config, PatternLibrary library, AnalyzerMetrics metrics,
                                 ExpressControl express, KnownIssueRegistry knownIssues) {
        Topics topics = config.kafka().topics();
        Topology t = new Topology();
        t.addSource(SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), topics.stream());
        // One scanner cache per task: tasks run on different stream threads, and a scanner need not be thread-safe.
        t.addProcessor(PROCESSOR, () -> new JobEventProcessor(
                new JobAnalyst(new ScannerCache(library, config.reportGrace()), config.defaultStallLimit(),
                        config.maxFindingsPerJob(), knownIssues),
                config.stallCheckInterval(), config.reportCheckInterval(), config.forgetSilentJobsAfter(), metrics,
                express),
                SOURCE);
        t.addStateStore(JobStateStore.builder(JOB_STORE), PROCESSOR);
        t.addSink(VERDICTS_SINK, topics.verdicts(), new StringSerializer(),
                erase(JsonSerde.of(VerdictEvent.class).serializer()), PROCESSOR);
        t.addSink(CONTROL_SINK, topics.control(), new StringSerializer(),
                erase(JsonSerde.of(ControlCommand.class).serializer()), PROCESSOR);
        t.addSink(DLQ_SINK, topics.dlq(), new StringSerializer(),
                erase(JsonSerde.of(DeadLetter.class).serializer()), PROCESSOR);
        return t;
    }

    /** The processor forwards each sink its own record type; the sink's serializer knows which. */
    @SuppressWarnings("unchecked")
    private static Serializer<Object> erase(Serializer<?> typed) {
        return (Serializer<Object>) typed;
    }
}
