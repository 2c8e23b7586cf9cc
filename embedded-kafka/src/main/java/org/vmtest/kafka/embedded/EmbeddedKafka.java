package org.vmtest.kafka.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka node (KRaft, one process acting as broker and controller) inside this JVM: for dev, demos and
 * integration tests. Alone it is a single-node cluster; with {@link Builder#nodeId}, {@link Builder#clusterId} and
 * {@link Builder#controllerQuorumVoters} naming every node it is one node of a multi-node cluster (see
 * {@link EmbeddedKafkaCluster}). Share groups are on; internal topics are replicated to every node up to 3, with a
 * minimum in-sync count one below that; share-group lock, heartbeat and session bounds are lowered so tests can use
 * short timeouts.
 *
 * <pre>
 * try (EmbeddedKafka kafka = EmbeddedKafka.builder().start()) {
 *     String bootstrap = kafka.bootstrapServers();
 * }
 * </pre>
 */
public final class EmbeddedKafka implements ScramBroker, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int DEFAULT_NODE_ID = 1;
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaRaftServer server;
    private final String host;
    private final int port;
    private final int controllerPort;
    private final Path dataDir;
    private final boolean deleteDataDirOnClose;
    private final Duration startTime;
    private final Scram scram;
    private boolean closed;

    private EmbeddedKafka(KafkaRaftServer server, String host, int port, int controllerPort, Path dataDir,
                          boolean deleteDataDirOnClose, Duration startTime, Scram scram) {
        this.server = server;
        this.host = host;
        this.port = port;
        this.controllerPort = controllerPort;
        this.dataDir = dataDir;
        this.deleteDataDirOnClose = deleteDataDirOnClose;
        this.startTime = startTime;
        this.scram = scram;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code host:port} of the broker listener, for {@code bootstrap.servers}. */
    @Override
    public String bootstrapServers() {
        return host + ":" + port;
    }

    public int port() {
        return port;
    }

    public int controllerPort() {
        return controllerPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    /**
     * What a client needs besides {@code bootstrap.servers} to connect as the broker's admin (a super user): empty
     * for a plain broker, the SASL settings for one started with {@link Builder#scram}.
     */
    @Override
    public Map<String, String> adminClientProperties() {
        return scram == null ? Map.of() : Scram.clientProperties(scram.adminUser(), scram.adminPassword());
    }

    /** From {@link Builder#start()} being called to the broker answering a metadata request. */
    public Duration startTime() {
        return startTime;
    }

    /** Stops the broker; deletes the data directory if this broker created it. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            if (deleteDataDirOnClose) {
                deleteRecursively(dataDir);
            }
        }
        LOG.info("embedded Kafka on {} stopped", bootstrapServers());
    }

    private static void deleteRecursively(Path dir) {
        try {
            Utils.delete(dir.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete Kafka data directory " + dir, e);
        }
    }

    /** Picks a port that is free now. Controller quorum voters need a concrete port, so binding 0 is not enough. */
    static int freePort(String host) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + host, e);
        }
    }

    public static final class Builder {
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();
        private String host = "127.0.0.1";
        private int port;
        private int controllerPort;
        private Path dataDir;
        private Scram scram;
        private int nodeId = DEFAULT_NODE_ID;
        private String clusterId;
        private String controllerQuorumVoters;

        private Builder() {
        }

        /** This node's {@code node.id}; default 1. */
        public Builder nodeId(int id) {
            if (id < 0) throw new IllegalArgumentException("nodeId must be >= 0, got " + id);
            this.nodeId = id;
            return this;
        }

        /** The cluster id every node of one cluster is formatted with; default: a fresh random one. */
        public Builder clusterId(String id) {
            this.clusterId = Objects.requireNonNull(id, "id");
            return this;
        }

        /**
         * The whole controller quorum, {@code id@host:port,...}, the same on every node; it must name this node with
         * its controller port. Default: this node alone. The number of voters is the cluster's size: start waits
         * until that many brokers are registered, and internal topics are replicated to that many nodes (at most 3).
         */
        public Builder controllerQuorumVoters(String voters) {
            this.controllerQuorumVoters = Objects.requireNonNull(voters, "voters");
            return this;
        }

        /**
         * SASL/SCRAM-SHA-512 on the broker listener and Kafka's standard KRaft authorizer: a client must log in,
         * and may do only what an ACL allows. {@code adminUser} is a super user, created when the storage is
         * formatted, and is what the broker itself logs in as.
         */
        public Builder scram(String adminUser, String adminPassword) {
            this.scram = new Scram(adminUser, adminPassword);
            return this;
        }

        /** Any broker property; overrides the defaults of {@link #defaults}. */
        public Builder brokerProperty(String key, String value) {
            brokerProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** The address both listeners bind to and advertise. Default {@code 127.0.0.1}. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** A fixed broker port, e.g. to restart on the same address; default: a free port. */
        public Builder port(int port) {
            this.port = requirePort(port, "port");
            return this;
        }

        /** A fixed controller port; default: a free port. */
        public Builder controllerPort(int port) {
            this.controllerPort = requirePort(port, "controllerPort");
            return this;
        }

        /**
         * A data directory that outlives the broker (not deleted on close): a broker started again on it finds its
         * topics and records. Formatted only if it is not formatted yet. Default: a fresh temporary directory,
         * deleted on close.
         */
        public Builder dataDir(Path dir) {
            this.dataDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        private static int requirePort(int port, String name) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(name + " must be in 1..65535, got " + port);
            }
            return port;
        }

        /** Formats storage if needed, starts the broker and returns once it answers clients. */
        public EmbeddedKafka start() {
            BrokerLogLevels.quietenBrokerLoggers();
            long started = System.nanoTime();
            boolean ownDir = dataDir == null;
            Path dir = ownDir ? createTempDir() : dataDir;
            int brokerPort = port != 0 ? port : freePort(host);
            int ctrlPort = controllerPort != 0 ? controllerPort : freePort(host);
            String voters = controllerQuorumVoters != null ? controllerQuorumVoters : nodeId + "@" + host + ":" + ctrlPort;
            int nodes = voters.split(",").length;
            KafkaRaftServer server = null;
            try {
                Map<String, String> props = defaults(host, brokerPort, ctrlPort, dir, nodeId, voters);
                if (scram != null) props.putAll(scram.brokerProperties(host, brokerPort, ctrlPort));
                props.putAll(brokerProperties);
                KafkaConfig config = new KafkaConfig(props, false);
                format(config, dir, scram, nodeId, clusterId != null ? clusterId : Uuid.randomUuid().toString());
                server = new KafkaRaftServer(config, Time.SYSTEM);
                server.startup();
                String bootstrap = host + ":" + brokerPort;
                awaitReady(bootstrap, scram, nodes);
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                LOG.info("embedded Kafka ready on {} in {} ms (data {})", bootstrap, took.toMillis(), dir);
                return new EmbeddedKafka(server, host, brokerPort, ctrlPort, dir, ownDir, took, scram);
            } catch (RuntimeException | Error e) {
                if (server != null) {
                    server.shutdown();
                    server.awaitShutdown();
                }
                if (ownDir) deleteRecursively(dir);
                throw e;
            }
        }

        private static Path createTempDir() {
            try {
                return Files.createTempDirectory("embedded-kafka-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a temporary Kafka data directory", e);
            }
        }
    }

    /** A single node alone, as {@link #defaults(String, int, int, Path, int, String)} makes it. */
    static Map<String, String> defaults(String host, int port, int controllerPort, Path dataDir) {
        return defaults(host, port, controllerPort, dataDir, DEFAULT_NODE_ID, DEFAULT_NODE_ID + "@" + host + ":" + controllerPort);
    }

    /**
     * What a node of a test cluster needs; every key can be overridden with {@link Builder#brokerProperty}. Topics
     * (internal ones and those created without an explicit factor) get a replica on every node up to 3, and need
     * all but one of them in sync: 3 nodes survive the loss of any one, as a production cluster does.
     */
    static Map<String, String> defaults(String host, int port, int controllerPort, Path dataDir, int nodeId,
                                        String voters) {
        int nodes = voters.split(",").length;
        String replicas = Integer.toString(Math.min(nodes, 3));
        String minInSync = Integer.toString(Math.max(1, Math.min(nodes, 3) - 1));
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(nodeId));
        p.put("controller.quorum.voters", voters);
        p.put("listeners", BROKER_LISTENER + "://" + host + ":" + port + "," + CONTROLLER_LISTENER + "://" + host + ":" + controllerPort);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + host + ":" + port);
        p.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("log.dirs", dataDir.resolve("logs").toString());
        p.put("num.partitions", "1");
        p.put("default.replication.factor", replicas);
        p.put("min.insync.replicas", minInSync);
        // Every internal topic must fit on the nodes there are (one, in a single-node cluster).
        p.put("offsets.topic.replication.factor", replicas);
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", replicas);
        p.put("transaction.state.log.min.isr", minInSync);
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.replication.factor", replicas);
        p.put("share.coordinator.state.topic.min.isr", minInSync);
        p.put("share.coordinator.state.topic.num.partitions", "5");
        // The 128 MiB default is allocated on the heap of whoever embeds the broker.
        p.put("log.cleaner.dedupe.buffer.size", Long.toString(2L * 1024 * 1024));
        p.put("group.initial.rebalance.delay.ms", "0");
        // After a crash the controller refuses the restarted broker until the dead incarnation's session expires.
        p.put("broker.session.timeout.ms", "2000");
        p.put("broker.heartbeat.interval.ms", "500");
        // Let tests choose short share-group locks, heartbeats and sessions (group configs are bounded by these).
        p.put("group.share.min.record.lock.duration.ms", "1000");
        p.put("group.share.min.heartbeat.interval.ms", "500");
        p.put("group.share.heartbeat.interval.ms", "1000");
        p.put("group.share.min.session.timeout.ms", "3000");
        p.put("group.consumer.min.heartbeat.interval.ms", "500");
        p.put("group.consumer.min.session.timeout.ms", "3000");
        p.put("auto.create.topics.enable", "false");
        return p;
    }

    /** Formats the log directory unless it already holds a cluster, which is then started as it is. */
    private static void format(KafkaConfig config, Path dir, Scram scram, int nodeId, String clusterId) {
        String logDir = config.getList("log.dirs").get(0);
        if (Files.exists(Path.of(logDir, "meta.properties"))) {
            LOG.debug("{} is already formatted", logDir);
            return;
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Formatter formatter = new Formatter()
                .setPrintStream(new PrintStream(output, true, StandardCharsets.UTF_8))
                .setNodeId(nodeId)
                .setClusterId(clusterId)
                .setDirectories(List.of(logDir))
                .setMetadataLogDirectory(logDir)
                .setReleaseVersion(MetadataVersion.latestProduction())
                .setFeatureLevel(Feature.SHARE_VERSION.featureName(), Feature.SHARE_VERSION.latestProduction())
                .setControllerListenerName(CONTROLLER_LISTENER);
        if (scram != null) formatter.setScramArguments(List.of(scram.formatArgument()));
        try {
            Files.createDirectories(dir);
            formatter.run();
            LOG.debug("formatted {}: {}", dir, output.toString(StandardCharsets.UTF_8).strip());
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka storage in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Until {@code nodes} brokers are registered and unfenced and the metadata quorum has a leader. */
    private static void awaitReady(String bootstrap, Scram scram, int nodes) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-ready-probe");
        if (scram != null) props.putAll(Scram.clientProperties(scram.adminUser(), scram.adminPassword()));
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(props)) {
            while (true) {
                long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                int registered = admin.describeCluster().nodes().get(left, TimeUnit.MILLISECONDS).size();
                int leader = registered < nodes ? -1
                        : admin.describeMetadataQuorum().quorumInfo().get(left, TimeUnit.MILLISECONDS).leaderId();
                if (registered > nodes) {
                    throw new IllegalStateException("embedded Kafka on " + bootstrap + " reports " + registered
                            + " brokers, expected " + nodes);
                }
                if (registered == nodes && leader >= 0) return;
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException(registered + " of " + nodes + " brokers registered, quorum leader " + leader);
                }
                Thread.sleep(100);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("embedded Kafka on " + bootstrap + " did not become ready within "
                    + READY_TIMEOUT.toSeconds() + " s: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for embedded Kafka on " + bootstrap, e);
        }
    }
}
