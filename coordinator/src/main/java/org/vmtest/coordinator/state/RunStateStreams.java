package org.vmtest.coordinator.state;

import io.dropwizard.lifecycle.Managed;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.protocol.kafka.KafkaSettings;

/** Runs {@link RunStateTopology}. Every coordinator runs one; they share the work through the application id. */
public final class RunStateStreams implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(RunStateStreams.class);
    private final KafkaSettings settings;
    private final Path stateDir;
    private final Clock clock;
    private final RunRetention retention;
    private volatile KafkaStreams streams;

    public RunStateStreams(KafkaSettings settings, Path stateDir, Clock clock, RunRetention retention) {
        this.settings = settings;
        this.stateDir = stateDir;
        this.clock = clock;
        this.retention = retention;
    }

    public static String applicationId(KafkaSettings settings) {
        return settings.topics().prefix() + "-coordinator";
    }

    @Override
    public void start() {
        Properties props = settings.streams(applicationId(settings));
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.putIfAbsent(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
        props.putIfAbsent(StreamsConfig.REPLICATION_FACTOR_CONFIG, Short.toString(settings.replicationFactor()));
        KafkaStreams s = new KafkaStreams(RunStateTopology.build(settings.topics(), clock, retention), props);
        s.setUncaughtExceptionHandler(e -> {
            LOG.error("run-state stream thread failed; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        s.start();
        streams = s;
    }

    public KafkaStreams.State state() {
        KafkaStreams s = streams;
        return s == null ? KafkaStreams.State.CREATED : s.state();
    }

    @Override
    public void stop() {
        KafkaStreams s = streams;
        if (s != null) s.close(Duration.ofSeconds(30));
    }
}
