package org.vmtest.cli.dev;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.analyzer.Analyzer;
import org.vmtest.analyzer.AnalyzerConfig;
import org.vmtest.coordinator.Coordinator;
import org.vmtest.kafka.embedded.EmbeddedKafka;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.kafka.TopicAdmin;
import org.vmtest.worker.Worker;
import org.vmtest.worker.WorkerConfig;

/**
 * A whole vmtest cluster in this JVM: a real Kafka broker (KRaft), the coordinator, an analyzer and a worker
 * driving real VMs. Each part is the same code a production deployment runs; only the wiring is local. Logging is
 * the embedding program's: {@code dev} and {@code demo} open {@link ServiceLogs} first (the coordinator is told to
 * leave logback alone).
 */
public final class DevCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DevCluster.class);

    private final Deque<AutoCloseable> parts = new ArrayDeque<>();
    private final URI url;
    private final String token;
    private final String bootstrapServers;

    /**
     * @param port     the coordinator's HTTP port (0: any free port)
     * @param outDir   where the token, the coordinator config, the log archive and the worker's overlays go
     * @param guestDir the test guest's build output (the worker's image directory)
     * @param slots    VMs the worker runs at once
     */
    public DevCluster(int port, Path outDir, Path guestDir, Path profilesDir, int slots) throws Exception {
        try {
            Files.createDirectories(outDir);
            long t0 = System.nanoTime();
            EmbeddedKafka kafka = EmbeddedKafka.builder().start();
            parts.push(kafka);
            bootstrapServers = kafka.bootstrapServers();
            KafkaSettings settings = KafkaSettings.of(bootstrapServers).withPartitions(3);
            TopicAdmin.ensureTopics(settings);
            LOG.info("kafka broker at {} ({} ms)", bootstrapServers, ms(t0));

            parts.push(Analyzer.start(AnalyzerConfig.of(settings)
                    .withStateDir(outDir.resolve("analyzer-state").toString())));
            LOG.info("analyzer started");

            WorkerConfig worker = WorkerConfig.defaults(settings).withWorkerId("dev").withSlots(slots)
                    .withDirs(guestDir.toAbsolutePath(), outDir.resolve("worker").toAbsolutePath());
            parts.push(Worker.start(worker));
            LOG.info("worker started with {} slot(s)", slots);

            token = newToken();
            writeToken(outDir.resolve("token"), token);
            Path config = outDir.resolve("coordinator.yml");
            DevCoordinatorConfig.of(bootstrapServers, port, token, profilesDir, outDir.resolve("archive")).write(config);
            Coordinator coordinator = Coordinator.start(config);
            parts.push(coordinator);
            url = coordinator.baseUri();
            LOG.info("coordinator at {} ({} ms since start)", url, ms(t0));
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    public URI url() {
        return url;
    }

    public String token() {
        return token;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Stops the parts in the reverse order of their start: the coordinator first, the broker last. */
    @Override
    public void close() {
        while (!parts.isEmpty()) {
            AutoCloseable part = parts.pop();
            try {
                part.close();
            } catch (Exception e) {
                LOG.warn("stopping {}: {}", part.getClass().getSimpleName(), e.toString());
            }
        }
    }

    private static String newToken() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static void writeToken(Path file, String token) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, token + "\n");
    }

    private static long ms(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }
}
