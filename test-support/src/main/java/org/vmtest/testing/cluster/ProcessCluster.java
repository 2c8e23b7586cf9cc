package org.vmtest.testing.cluster;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.kafka.embedded.AclFile;
import org.vmtest.kafka.embedded.EmbeddedKafkaCluster;
import org.vmtest.kafka.embedded.EmbeddedKafkaProcess;
import org.vmtest.kafka.embedded.Scram;
import org.vmtest.kafka.embedded.ScramBroker;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.kafka.TopicAdmin;
import org.vmtest.protocol.kafka.Topics;

/**
 * A whole vmtest cluster on loopback, each part in its own OS process running its real main class: the Kafka
 * broker ({@link EmbeddedKafkaProcess}, or with {@link Builder#brokers} a KRaft cluster of several,
 * {@link EmbeddedKafkaCluster}), a coordinator, analyzers and workers. Every part gets a generated config
 * file and a log file under one temporary directory, and can be killed (SIGKILL), stopped (SIGTERM) and started
 * again with the same config. Topic prefix and worker ids are unique per cluster, so several clusters can share
 * the host's libvirt without seeing each other's jobs or domains.
 *
 * <pre>
 * try (ProcessCluster cluster = ProcessCluster.builder(guestDir, profilesDir).workers(2).start()) {
 *     JsonNode run = cluster.api().submit(List.of("pass"));
 *     cluster.worker(0).kill();
 *     ...
 * }
 * </pre>
 */
public final class ProcessCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessCluster.class);
    public static final String COORDINATOR_MAIN = "org.vmtest.coordinator.CoordinatorApplication";
    public static final String ANALYZER_MAIN = "org.vmtest.analyzer.AnalyzerApp";
    public static final String WORKER_MAIN = "org.vmtest.worker.WorkerMain";
    /** Small heaps and a quick start: the host is shared, and services here live for minutes. */
    private static final List<String> JVM_OPTIONS = List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    /**
     * The worker's JVM options of deploy/systemd/vmtest-worker.service (keep them the same): a small initial heap
     * that gives memory back after a collection, C1 only. A worker mostly waits (on libvirt,
     * SSH and Kafka), and docs/BENCHMARKS.md has the idle RSS they give.
     * {@code -Dvmtest.cluster.jvmOptions.worker-N="..."} replaces them for worker N (benchmarks compare flags so).
     */
    public static final List<String> WORKER_JVM_OPTIONS = List.of("-Xms16m", "-Xmx512m", "-XX:+UseSerialGC",
            "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30", "-XX:TieredStopAtLevel=1");
    private static final Duration SERVICE_START_TIMEOUT = Duration.ofSeconds(120);

    private final Builder spec;
    private final Path dir;
    private final String prefix;
    private final String token;
    private final List<ServiceProcess> started = new ArrayList<>();
    private final List<ServiceProcess> analyzers = new ArrayList<>();
    private final List<ServiceProcess> workers = new ArrayList<>();
    private final List<String> workerIds = new ArrayList<>();
    private EmbeddedKafkaProcess kafka;
    private EmbeddedKafkaCluster kafkaCluster;
    /** The broker or brokers, whichever of the two this cluster runs. */
    private ScramBroker broker;
    private ServiceProcess coordinator;
    private ClusterApi api;
    private KafkaSettings settings;
    private String stagedClassPath;
    private final Map<String, Map<String, String>> clientProperties = new HashMap<>();

    private ProcessCluster(Builder spec) throws IOException {
        this.spec = spec;
        this.dir = Files.createTempDirectory("vmtest-cluster-");
        String id = HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
        this.prefix = "st" + id;
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        this.token = HexFormat.of().formatHex(secret);
    }

    public static Builder builder(Path guestDir, Path profilesDir) {
        return new Builder(guestDir, profilesDir);
    }

    /** What to start. */
    public static final class Builder {
        private final Path guestDir;
        private final Path profilesDir;
        private int workers = 1;
        private int slots = 1;
        private int analyzers = 1;
        private final Map<Integer, String> libvirtUris = new HashMap<>();
        private String defaultLibvirtUri = "qemu:///system";
        private ServiceUser workerUser = ServiceUser.INVOKER;
        private Path aclFile;
        private int brokers = 1;

        private Builder(Path guestDir, Path profilesDir) {
            this.guestDir = guestDir.toAbsolutePath();
            this.profilesDir = profilesDir.toAbsolutePath();
        }

        public Builder workers(int n) {
            workers = n;
            return this;
        }

        /** VMs each worker runs at once. */
        public Builder slots(int n) {
            slots = n;
            return this;
        }

        public Builder analyzers(int n) {
            analyzers = n;
            return this;
        }

        /** Worker {@code index} (from 0) connects to this libvirt URI instead of the host's. */
        public Builder libvirtUri(int index, String uri) {
            libvirtUris.put(index, uri);
            return this;
        }

        /**
         * Workers run as this user (the systemd unit's {@code User=}), with a state directory it owns (the unit's
         * {@code StateDirectory=}) and the class path copied where it can read it (as {@code /opt/vmtest} would be).
         */
        public Builder workersRunAs(ServiceUser.Named user) {
            workerUser = user;
            return this;
        }

        /**
         * The broker takes SASL/SCRAM and enforces the ACLs of {@code aclFile} (deploy/kafka/acls.conf): every
         * service logs in as its own principal ({@code coordinator}, {@code analyzer}, {@code worker}) through its
         * config's {@code kafka.properties}, and may do only what its ACLs allow. {@link #settings()} is the
         * admin's.
         */
        public Builder scram(Path aclFile) {
            this.aclFile = aclFile.toAbsolutePath();
            return this;
        }

        /**
         * Kafka as {@code n} KRaft nodes (broker and controller each), separate processes, as a production cluster:
         * with 3, the project's topics get 3 replicas and need 2 in sync (deploy/compose's settings), and every
         * service is given all the brokers' addresses. Default 1: a single broker, {@link #kafka()}.
         */
        public Builder brokers(int n) {
            if (n < 1) throw new IllegalArgumentException("brokers must be at least 1, got " + n);
            brokers = n;
            return this;
        }

        public ProcessCluster start() {
            ProcessCluster cluster;
            try {
                cluster = new ProcessCluster(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the cluster's directory", e);
            }
            try {
                cluster.startAll();
                return cluster;
            } catch (RuntimeException | Error e) {
                String logs = cluster.diagnostics();
                cluster.close();
                throw new IllegalStateException("cluster did not start: " + e.getMessage() + "\n" + logs, e);
            }
        }
    }

    private void startAll() {
        long t0 = System.nanoTime();
        Scram admin = spec.aclFile == null ? null : new Scram("admin", secret());
        if (spec.brokers == 1) {
            kafka = admin == null ? EmbeddedKafkaProcess.start() : EmbeddedKafkaProcess.startWithScram(admin);
            broker = kafka;
        } else {
            kafkaCluster = EmbeddedKafkaCluster.start(spec.brokers, admin);
            broker = kafkaCluster;
            // From here on (kills, restarts): what a node says when it dies or rejoins is shown with a failed case.
            for (int id : kafkaCluster.nodeIds()) {
                kafkaCluster.node(id).logTo(logsDir().resolve("kafka-" + id + ".log"));
            }
        }
        settings = KafkaSettings.of(broker.bootstrapServers()).withTopicPrefix(prefix).withPartitions(3)
                .withReplicationFactor(replicationFactor());
        for (var e : broker.adminClientProperties().entrySet()) settings = settings.withProperty(e.getKey(), e.getValue());
        if (spec.aclFile != null) createPrincipals();
        TopicAdmin.ensureTopics(settings);

        int appPort = freePort();
        int adminPort = freePort();
        api = new ClusterApi(URI.create("http://127.0.0.1:" + appPort), URI.create("http://127.0.0.1:" + adminPort), token);
        Path coordinatorConfig = write("coordinator.yml", coordinatorYaml(appPort, adminPort));
        coordinator = service("coordinator", COORDINATOR_MAIN, List.of("server", coordinatorConfig.toString()),
                null, api::healthy);
        for (int i = 0; i < spec.analyzers; i++) addAnalyzer();
        for (int i = 0; i < spec.workers; i++) {
            addWorker(spec.libvirtUris.getOrDefault(i, spec.defaultLibvirtUri));
        }
        LOG.info("cluster {} up in {} ms: broker(s) {}, coordinator {}, {} analyzer(s), {} worker(s); files in {}",
                prefix, (System.nanoTime() - t0) / 1_000_000, broker.bootstrapServers(), api.base(),
                analyzers.size(), workers.size(), dir);
    }

    /** One SCRAM user per principal of the ACL file, each with a fresh password, and the file's ACLs. */
    private void createPrincipals() {
        try {
            List<AclBinding> acls = AclFile.read(spec.aclFile, prefix);
            for (String principal : AclFile.principals(acls)) {
                String password = secret();
                broker.upsertScramUser(principal, password);
                clientProperties.put(principal, Scram.clientProperties(principal, password));
            }
            broker.addAcls(acls);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the ACL file " + spec.aclFile, e);
        }
    }

    /** The SASL settings of {@code principal}, e.g. {@code ci}, for a client of a cluster built with {@link Builder#scram}. */
    public Map<String, String> clientProperties(String principal) {
        Map<String, String> props = clientProperties.get(principal);
        if (props == null) throw new IllegalArgumentException("no principal " + principal + " (known: " + clientProperties.keySet() + ")");
        return props;
    }

    private static String secret() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /**
     * Starts one more worker connected to {@code libvirtUri}; its index is the next one. A worker that cannot
     * start (it exits first) fails here with its log, and stays listed so its log stays in {@link #diagnostics()}.
     */
    public ServiceProcess addWorker(String libvirtUri) {
        int n = workerIds.size() + 1;
        String workerId = prefix + "_w" + n;
        workerIds.add(workerId);
        ServiceProcess worker;
        String override = System.getProperty("vmtest.cluster.jvmOptions.worker-" + n);
        List<String> jvmOptions = override == null ? WORKER_JVM_OPTIONS : List.of(override.trim().split("\\s+"));
        if (spec.workerUser instanceof ServiceUser.Named user) {
            Path home = serviceHome("worker-" + n, user);
            Path config = writeAs(user, home.resolve("worker.yaml"), workerYaml(workerId, libvirtUri, home.resolve("state")));
            worker = new ServiceProcess("worker-" + n,
                    ServiceProcess.javaCommand(jvmOptions, stagedClassPath(), WORKER_MAIN, List.of(config.toString())),
                    dir.resolve("logs").resolve("worker-" + n + ".log"), "worker " + workerId + " started", null,
                    SERVICE_START_TIMEOUT, user);
        } else {
            Path config = write("worker-" + n + ".yaml", workerYaml(workerId, libvirtUri, dir.resolve("worker")));
            worker = new ServiceProcess("worker-" + n,
                    ServiceProcess.javaCommand(jvmOptions, WORKER_MAIN, List.of(config.toString())),
                    dir.resolve("logs").resolve("worker-" + n + ".log"), "worker " + workerId + " started", null,
                    SERVICE_START_TIMEOUT);
        }
        started.add(worker);
        workers.add(worker);
        return worker.start();
    }

    /** Starts one more analyzer instance (same application id: it shares the stream's partitions). */
    public ServiceProcess addAnalyzer() {
        int n = analyzers.size() + 1;
        Path config = write("analyzer-" + n + ".yaml", analyzerYaml(dir.resolve("analyzer-" + n + "-state")));
        ServiceProcess analyzer = service("analyzer-" + n, ANALYZER_MAIN, List.of(config.toString()),
                "analyzer running", null);
        analyzers.add(analyzer);
        return analyzer;
    }

    private ServiceProcess service(String name, String main, List<String> args, String marker,
                                   java.util.function.BooleanSupplier check) {
        ServiceProcess p = new ServiceProcess(name, ServiceProcess.javaCommand(JVM_OPTIONS, main, args),
                dir.resolve("logs").resolve(name + ".log"), marker, check, SERVICE_START_TIMEOUT);
        started.add(p);
        return p.start();
    }

    /** The single broker; a cluster started with {@link Builder#brokers} above 1 has {@link #kafkaCluster()}. */
    public EmbeddedKafkaProcess kafka() {
        if (kafka == null) throw new IllegalStateException("this cluster runs " + spec.brokers + " brokers: use kafkaCluster()");
        return kafka;
    }

    /** The KRaft nodes of a cluster started with {@link Builder#brokers} above 1. */
    public EmbeddedKafkaCluster kafkaCluster() {
        if (kafkaCluster == null) throw new IllegalStateException("this cluster runs a single broker: use kafka()");
        return kafkaCluster;
    }

    /** Replicas per topic: one per broker, up to 3 (the brokers' own default, see EmbeddedKafka). */
    private short replicationFactor() {
        return (short) Math.min(spec.brokers, 3);
    }

    public ServiceProcess coordinator() {
        return coordinator;
    }

    public ServiceProcess analyzer(int index) {
        return analyzers.get(index);
    }

    public List<ServiceProcess> analyzers() {
        return List.copyOf(analyzers);
    }

    public ServiceProcess worker(int index) {
        return workers.get(index);
    }

    public List<ServiceProcess> workers() {
        return List.copyOf(workers);
    }

    public String workerId(int index) {
        return workerIds.get(index);
    }

    public ClusterApi api() {
        return api;
    }

    /** Client settings with this cluster's broker and topic prefix. */
    public KafkaSettings settings() {
        return settings;
    }

    public Topics topics() {
        return settings.topics();
    }

    public TopicReader topicReader() {
        return new TopicReader(settings);
    }

    public Path dir() {
        return dir;
    }

    /** The last lines of every service's log, for an assertion message. */
    public String diagnostics() {
        StringBuilder sb = new StringBuilder("cluster files: ").append(dir).append('\n');
        for (ServiceProcess p : started) {
            sb.append("==== ").append(p).append(", last lines of ").append(p.logFile()).append('\n')
                    .append(p.tail(30)).append('\n');
        }
        if (kafkaCluster != null) {
            for (int id : kafkaCluster.nodeIds()) {
                Path log = kafkaCluster.node(id).logFile();
                sb.append("==== Kafka node ").append(id).append(kafkaCluster.node(id).isAlive() ? " (alive)" : " (dead)")
                        .append(", last lines of ").append(log).append('\n').append(lastLines(log, 30)).append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * Stops every service (workers with SIGTERM, so they destroy their VMs and release their jobs), destroys any
     * domain a killed worker of this cluster left behind, stops the broker and deletes the cluster's files.
     */
    @Override
    public void close() {
        for (ServiceProcess w : workers) quietly(w::stop);
        for (ServiceProcess a : analyzers) quietly(a::kill);
        if (coordinator != null) quietly(coordinator::kill);
        destroyLeftoverDomains();
        if (kafka != null) quietly(kafka::close);
        if (kafkaCluster != null) quietly(kafkaCluster::close);
        if (!Boolean.getBoolean("vmtest.cluster.keepFiles")) {
            try {
                Utils.delete(dir.toFile());
            } catch (IOException e) {
                LOG.warn("cannot delete {}: {}", dir, e.toString());
            }
        }
    }

    /**
     * Destroys the libvirt domains of worker {@code index}: with {@link ServiceProcess#kill()} of that worker, what
     * a worker host dying takes with it. Returns how many were destroyed.
     */
    public int destroyDomainsOf(int index) {
        return destroyDomains(List.of(workerIds.get(index)));
    }

    /** Names of the running libvirt domains of worker {@code index}. */
    public List<String> domainsOf(int index) {
        String prefix = "vmtest-" + workerIds.get(index) + "-";
        return runningDomains().stream().filter(n -> n.startsWith(prefix)).toList();
    }

    private List<String> runningDomains() {
        try {
            Process list = new ProcessBuilder("virsh", "-c", spec.defaultLibvirtUri, "list", "--name")
                    .redirectErrorStream(true).start();
            String names = new String(list.getInputStream().readAllBytes());
            list.waitFor(30, TimeUnit.SECONDS);
            return names.lines().map(String::strip).filter(n -> !n.isEmpty()).toList();
        } catch (IOException e) {
            LOG.warn("cannot list libvirt domains: {}", e.toString());
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private void destroyLeftoverDomains() {
        if (!workerIds.isEmpty()) destroyDomains(workerIds);
    }

    /** Domains are named {@code vmtest-<workerId>-...}: only the given worker ids are touched. */
    private int destroyDomains(List<String> ids) {
        int destroyed = 0;
        try {
            Process list = new ProcessBuilder("virsh", "-c", spec.defaultLibvirtUri, "list", "--name")
                    .redirectErrorStream(true).start();
            String names = new String(list.getInputStream().readAllBytes());
            list.waitFor(30, TimeUnit.SECONDS);
            for (String name : names.lines().map(String::strip).toList()) {
                if (ids.stream().anyMatch(id -> name.startsWith("vmtest-" + id + "-"))) {
                    LOG.info("destroying domain {} of a killed worker", name);
                    new ProcessBuilder("virsh", "-c", spec.defaultLibvirtUri, "destroy", name)
                            .redirectErrorStream(true).start().waitFor(30, TimeUnit.SECONDS);
                    destroyed++;
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list libvirt domains: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return destroyed;
    }

    private Path logsDir() {
        try {
            return Files.createDirectories(dir.resolve("logs"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir.resolve("logs"), e);
        }
    }

    private static String lastLines(Path file, int n) {
        try {
            if (file == null || !Files.exists(file)) return "(nothing written)";
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (IOException e) {
            return "(cannot read: " + e + ")";
        }
    }

    private static void quietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("while stopping the cluster: {}", e.toString());
        }
    }

    private Path write(String name, String content) {
        try {
            Path file = dir.resolve("config").resolve(name);
            Files.createDirectories(file.getParent());
            return Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + name, e);
        }
    }

    /**
     * The {@code kafka:} block of a service logging in as {@code principal}. With ACLs only the coordinator creates
     * topics (the others could not even see them all).
     */
    private String kafkaYaml(String principal) {
        StringBuilder yaml = new StringBuilder("""
                kafka:
                  bootstrapServers: "%s"
                  topicPrefix: "%s"
                  partitions: 3
                  replicationFactor: %d
                """.formatted(broker.bootstrapServers(), prefix, replicationFactor()));
        Map<String, String> props = clientProperties.get(principal);
        if (props != null) {
            if (!principal.equals("coordinator")) yaml.append("  createTopics: false\n");
            yaml.append("  properties:\n");
            props.forEach((k, v) -> yaml.append("    ").append(k).append(": '").append(v.replace("'", "''")).append("'\n"));
        }
        return yaml.toString();
    }

    private String coordinatorYaml(int appPort, int adminPort) {
        return kafkaYaml("coordinator") + """
                profilesDir: "%s"
                archiveDir: "%s"
                kafkaTimeout: 10s
                workerHeartbeatInterval: 2s
                auth:
                  enabled: true
                  tokens:
                    - {name: system-test, token: "%s", scopes: [submit]}
                server:
                  applicationConnectors: [{type: http, bindHost: 127.0.0.1, port: %d}]
                  adminConnectors: [{type: http, bindHost: 127.0.0.1, port: %d}]
                  requestLog: {appenders: []}
                logging:
                  level: WARN
                  loggers: {org.vmtest: INFO}
                """.formatted(spec.profilesDir, dir.resolve("archive"), token, appPort, adminPort);
    }

    private String analyzerYaml(Path stateDir) {
        return kafkaYaml("analyzer") + """
                stateDir: "%s"
                metricsAddress: "127.0.0.1:0"
                """.formatted(stateDir);
    }

    private String workerYaml(String workerId, String libvirtUri, Path workDir) {
        return kafkaYaml("worker") + """
                workerId: "%s"
                slots: %d
                libvirtUri: "%s"
                accelerator: tcg
                imageDir: "%s"
                workDir: "%s"
                heartbeatInterval: 2s
                metricsAddress: "127.0.0.1:0"
                """.formatted(workerId, spec.slots, libvirtUri, spec.guestDir, workDir);
    }

    /**
     * A directory only {@code user} can enter, as systemd's {@code StateDirectory=} makes one: owned by the user and
     * its group, mode 0700. The cluster's own directory becomes enterable (0711, not listable) so the user reaches it.
     */
    private Path serviceHome(String name, ServiceUser.Named user) {
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
            Path home = Files.createDirectories(dir.resolve(name));
            Files.createDirectories(home.resolve("state"));
            chown(user, home);
            Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
            return home;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the directory of " + name, e);
        }
    }

    private Path writeAs(ServiceUser.Named user, Path file, String content) {
        try {
            Files.writeString(file, content);
            chown(user, file);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void chown(ServiceUser.Named user, Path path) throws IOException {
        UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal owner = users.lookupPrincipalByName(user.name());
        GroupPrincipal group = users.lookupPrincipalByGroupName(user.group());
        try (Stream<Path> all = Files.walk(path)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
                view.setOwner(owner);
                view.setGroup(group);
            }
        }
    }

    /**
     * This JVM's class path copied under the cluster's directory, readable by every user, as a distribution under
     * {@code /opt/vmtest} is: a service user cannot read the build's own copies (under root's home and Maven
     * repository). Copied once per cluster.
     */
    private synchronized String stagedClassPath() {
        if (stagedClassPath != null) return stagedClassPath;
        Path lib = dir.resolve("dist").resolve("lib");
        List<String> entries = new ArrayList<>();
        try {
            Files.createDirectories(lib);
            String[] original = System.getProperty("java.class.path").split(File.pathSeparator);
            for (int i = 0; i < original.length; i++) {
                Path from = Path.of(original[i]);
                if (!Files.exists(from)) continue;
                Path to = lib.resolve(i + "-" + from.getFileName());
                copyReadable(from, to);
                entries.add(to.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the class path to " + lib, e);
        }
        stagedClassPath = String.join(File.pathSeparator, entries);
        return stagedClassPath;
    }

    private static void copyReadable(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                } else {
                    Files.copy(p, target);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on loopback", e);
        }
    }
}
