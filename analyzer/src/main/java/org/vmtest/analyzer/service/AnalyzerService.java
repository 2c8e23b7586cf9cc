package org.vmtest.analyzer.service;

import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
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
import org.vmtest.analyzer.issues.KnownIssueReader;
import org.vmtest.issues.KnownIssueRegistry;
import org.vmtest.analyzer.patterns.PatternLibrary;
import org.vmtest.analyzer.stream.AnalyzerMetrics;
import org.vmtest.analyzer.stream.AnalyzerTopology;
import org.vmtest.analyzer.stream.ExpressControl;
import org.vmtest.ops.OpsEndpoint;
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
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final KafkaStreamsMetrics streamsMetrics;
    private final ExpressControl express;
    private final KnownIssueReader knownIssues;
    private OpsEndpoint metricsServer;

    private AnalyzerService(AnalyzerConfig config, PatternLibrary library) {
        this.applicationId = applicationId(config);
        registry.config().commonTags("application", applicationId);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        this.express = ExpressControl.kafka(config.kafka(), applicationId + "-express-control");
        KnownIssueRegistry issues = new KnownIssueRegistry();
        this.knownIssues = KnownIssueReader.start(config.kafka(), applicationId + "-known-issues", issues);
        Topology topology = AnalyzerTopology.build(config, library, new AnalyzerMetrics(registry), express, issues);
        this.streams = new KafkaStreams(topology, properties(config));
        // the Streams client's own metrics: consumer lag, commit and process rates, per thread
        this.streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
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

    /** @throws IllegalArgumentException when the metrics address is malformed or cannot be bound */
    public static AnalyzerService start(AnalyzerConfig config, PatternLibrary library) {
        AnalyzerService service = new AnalyzerService(config, library);
        if (!config.metricsAddress().isBlank()) {
            try {
                service.metricsServer = OpsEndpoint.start(config.metricsAddress(), "analyzer-metrics-http",
                        service.registry, () -> {
                            KafkaStreams.State state = service.streams.state();
                            return new OpsEndpoint.Health(state.isRunningOrRebalancing(), state.toString());
                        });
            } catch (IOException | IllegalArgumentException e) {
                service.streamsMetrics.close();
                service.streams.close(Duration.ZERO);
                service.express.close();
                service.knownIssues.close();
                throw new IllegalArgumentException("metricsAddress " + config.metricsAddress() + ": " + e.getMessage(), e);
            }
            LOG.info("analyzer {}: metrics on http://{}:{}/metrics, health on /health", service.applicationId,
                    config.metricsAddress().substring(0, config.metricsAddress().lastIndexOf(':')),
                    service.metricsServer.port());
        }
        Map<Category, Integer> sizes = library.sizeByCategory();
        LOG.info("analyzer {} starting with {} patterns {}", service.applicationId, library.patterns().size(), sizes);
        service.streams.start();
        return service;
    }

    /** The port of the metrics endpoint, or -1 when none is configured. */
    public int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.port();
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
        if (metricsServer != null) metricsServer.close();
        streams.close(CLOSE_TIMEOUT);
        express.close();
        knownIssues.close();
        streamsMetrics.close();
        registry.close();
    }
}
