package org.vmtest.analyzer.service;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.analyzer.AnalyzerConfig;
import org.vmtest.analyzer.patterns.PatternLibrary;
import org.vmtest.analyzer.stream.AnalyzerTopology;
import org.vmtest.protocol.Category;

/**
 * A running analyzer: the Kafka Streams client of the topology, started on construction and stopped by
 * {@link #close()}. More instances with the same topic prefix share the work by partitions.
 */
public final class AnalyzerService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AnalyzerService.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaStreams streams;
    private final CountDownLatch running = new CountDownLatch(1);
    private final String applicationId;

    private AnalyzerService(AnalyzerConfig config, PatternLibrary library) {
        this.applicationId = applicationId(config);
        Topology topology = AnalyzerTopology.build(config, library);
        this.streams = new KafkaStreams(topology, properties(config));
        streams.setStateListener((now, before) -> {
            LOG.info("analyzer {}: {} -> {}", applicationId, before, now);
            if (now == KafkaStreams.State.RUNNING) running.countDown();
        });
        // A stream thread dies only on something unexpected (a fenced producer, a broker gone for too long):
        // replace it, so the analyzer keeps serving every other job. Records it cannot handle go to the DLQ instead.
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("analyzer {}: stream thread failed, replacing it", applicationId, e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    }

    public static AnalyzerService start(AnalyzerConfig config, PatternLibrary library) {
        AnalyzerService service = new AnalyzerService(config, library);
        Map<Category, Integer> sizes = library.sizeByCategory();
        LOG.info("analyzer {} starting with {} patterns {}", service.applicationId, library.patterns().size(), sizes);
        service.streams.start();
        return service;
    }

    /** {@code <prefix>-analyzer}: every analyzer of one installation is one consumer group, one set of state. */
    public static String applicationId(AnalyzerConfig config) {
        return config.kafka().topics().prefix() + "-analyzer";
    }

    static Properties properties(AnalyzerConfig config) {
        Properties p = config.kafka().streams(applicationId(config));
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(config.threads()));
        if (!config.stateDir().isBlank()) p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir());
        return p;
    }

    /** @return whether the analyzer reached RUNNING (partitions assigned, state restored) within the timeout */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        return running.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    @Override
    public void close() {
        LOG.info("analyzer {} stopping", applicationId);
        streams.close(CLOSE_TIMEOUT);
    }
}
