package org.vmtest.worker;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.vmtest.ops.OpsEndpoint;
import org.vmtest.protocol.Accelerator;
import org.vmtest.protocol.codec.ConfigYaml;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.worker.artifacts.ArtifactCacheSettings;
import org.vmtest.worker.artifacts.HostAllowList;

/**
 * The worker's configuration file (YAML). Every field is optional; see {@code deploy/config/worker.yml}.
 *
 * @param workerId          names this worker in heartbeats, domain names and its work directory; default host name
 * @param slots             how many VMs it runs at once
 * @param libvirtUri        the hypervisor connection
 * @param accelerator       AUTO takes the host probe's answer ({@code hostFacts}, else a short KVM boot)
 * @param imageDir          profiles' relative image paths resolve against it
 * @param workDir           overlays and manual-VM keys go under {@code workDir/<workerId>}
 * @param heartbeatInterval how often a {@code WorkerStatus} goes out
 * @param renewInterval     how often a running job's lock is renewed; default a third of the broker's lock timeout
 * @param hostFacts         written by deploy/host-setup.sh; {@code VMTEST_ACCEL=kvm|tcg}
 * @param probeTimeout      how long the KVM probe boot may take before the answer is TCG
 * @param metricsAddress    {@code host:port} of {@code GET /metrics} (Prometheus) and {@code GET /health}; empty for
 *                          none, port 0 for any free one
 * @param cacheDir          the artifact cache (verified downloads named by their sha256); default
 *                          {@code workDir/<workerId>/artifacts}; one worker per directory
 * @param cacheMaxBytes     the artifact cache's budget: unused artifacts beyond it are evicted, least recently used
 *                          first (default 50 GiB)
 * @param maxArtifactBytes  the most one artifact may have, downloaded or unpacked (default 16 GiB)
 * @param artifactHosts     the hosts artifacts may be downloaded from ({@code ci.example.com}, {@code *.example.com});
 *                          empty: any
 * @param keyDir            private keys that profiles with {@code ssh.keyDelivery: IDENTITY_FILE} may name (by a path
 *                          relative to it); nothing outside it is ever used as a key
 */
public record WorkerConfig(
        KafkaSettings kafka,
        String workerId,
        int slots,
        String libvirtUri,
        Accelerator accelerator,
        Path imageDir,
        Path workDir,
        Duration heartbeatInterval,
        Duration renewInterval,
        SshSettings ssh,
        Path hostFacts,
        Duration probeTimeout,
        String metricsAddress,
        Path cacheDir,
        long cacheMaxBytes,
        long maxArtifactBytes,
        List<String> artifactHosts,
        Path keyDir) {

    private static final long GIB = 1L << 30;

    private static final Pattern WORKER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.]{0,39}");
    /**
     * @param connectRetryInterval pause between attempts to reach a booting guest's SSH server
     * @param connectAttemptTimeout how long one attempt (TCP connect, key exchange, login) may take
     */
    public record SshSettings(Duration connectRetryInterval, Duration connectAttemptTimeout) {
        public static final SshSettings DEFAULT = new SshSettings(null, null);

        public SshSettings {
            if (connectRetryInterval == null) connectRetryInterval = Duration.ofMillis(500);
            if (connectAttemptTimeout == null) connectAttemptTimeout = Duration.ofSeconds(10);
        }
    }

    public WorkerConfig {
        if (kafka == null) kafka = new KafkaSettings();
        if (workerId == null || workerId.isBlank()) workerId = defaultWorkerId();
        if (!WORKER_ID.matcher(workerId).matches()) {
            throw new IllegalArgumentException("workerId must match " + WORKER_ID.pattern()
                    + " (it becomes part of domain names), got '" + workerId + "'");
        }
        if (slots == 0) slots = 1;
        if (slots < 1) throw new IllegalArgumentException("slots must be at least 1, got " + slots);
        if (libvirtUri == null || libvirtUri.isBlank()) libvirtUri = "qemu:///system";
        if (accelerator == null) accelerator = Accelerator.AUTO;
        if (imageDir == null) imageDir = Path.of("vmtest-out/guest");
        if (workDir == null) workDir = Path.of("vmtest-out/worker");
        imageDir = imageDir.toAbsolutePath().normalize();
        workDir = workDir.toAbsolutePath().normalize();
        if (heartbeatInterval == null) heartbeatInterval = Duration.ofSeconds(5);
        if (ssh == null) ssh = SshSettings.DEFAULT;
        if (hostFacts == null) hostFacts = Path.of("/var/lib/vmtest/host-facts.env");
        if (probeTimeout == null) probeTimeout = Duration.ofSeconds(20);
        requirePositive("heartbeatInterval", heartbeatInterval);
        if (renewInterval != null) requirePositive("renewInterval", renewInterval);
        metricsAddress = metricsAddress == null ? "" : metricsAddress.strip();
        if (!metricsAddress.isEmpty()) requireHostPort("metricsAddress", metricsAddress);
        if (cacheDir != null) cacheDir = cacheDir.toAbsolutePath().normalize();
        if (cacheMaxBytes == 0) cacheMaxBytes = 50 * GIB;
        if (maxArtifactBytes == 0) maxArtifactBytes = Math.min(16 * GIB, cacheMaxBytes);
        artifactHosts = artifactHosts == null ? List.of() : List.copyOf(artifactHosts);
        // the settings check the numbers and the host patterns, with messages naming the option
        new HostAllowList(artifactHosts);
        ArtifactCacheSettings.of(workDir, cacheMaxBytes, maxArtifactBytes, artifactHosts);
        if (keyDir == null) keyDir = Path.of("vmtest-out/keys");
        keyDir = keyDir.toAbsolutePath().normalize();
    }

    /** The artifact cache's directory: {@code cacheDir}, or {@code workDir/<workerId>/artifacts}. */
    public Path artifactCacheDir() {
        return cacheDir != null ? cacheDir : ownWorkDir().resolve("artifacts");
    }

    public ArtifactCacheSettings artifactCache() {
        new HostAllowList(artifactHosts);
        return ArtifactCacheSettings.of(artifactCacheDir(), cacheMaxBytes, maxArtifactBytes, artifactHosts);
    }

    /** A configuration with the defaults of the artifact cache and the key directory. */
    public WorkerConfig(KafkaSettings kafka, String workerId, int slots, String libvirtUri, Accelerator accelerator,
                        Path imageDir, Path workDir, Duration heartbeatInterval, Duration renewInterval,
                        SshSettings ssh, Path hostFacts, Duration probeTimeout, String metricsAddress) {
        this(kafka, workerId, slots, libvirtUri, accelerator, imageDir, workDir, heartbeatInterval, renewInterval, ssh,
                hostFacts, probeTimeout, metricsAddress, null, 0, 0, null, null);
    }

    public static WorkerConfig defaults(KafkaSettings kafka) {
        return new WorkerConfig(kafka, null, 0, null, null, null, null, null, null, null, null, null, null, null, 0, 0,
                null, null);
    }

    /** Reads a worker config file, with {@code ${NAME:-default}} taken from the environment. */
    public static WorkerConfig read(Path file) throws IOException {
        return ConfigYaml.read(file, WorkerConfig.class);
    }

    /** This worker's own directory for overlays and keys; the start-up sweep looks only here. */
    public Path ownWorkDir() {
        return workDir.resolve(workerId);
    }

    public WorkerConfig withWorkerId(String id) {
        return new WorkerConfig(kafka, id, slots, libvirtUri, accelerator, imageDir, workDir, heartbeatInterval,
                renewInterval, ssh, hostFacts, probeTimeout, metricsAddress, cacheDir, cacheMaxBytes,
                maxArtifactBytes, artifactHosts, keyDir);
    }

    public WorkerConfig withSlots(int n) {
        return new WorkerConfig(kafka, workerId, n, libvirtUri, accelerator, imageDir, workDir, heartbeatInterval,
                renewInterval, ssh, hostFacts, probeTimeout, metricsAddress, cacheDir, cacheMaxBytes,
                maxArtifactBytes, artifactHosts, keyDir);
    }

    public WorkerConfig withLibvirtUri(String uri) {
        return new WorkerConfig(kafka, workerId, slots, uri, accelerator, imageDir, workDir, heartbeatInterval,
                renewInterval, ssh, hostFacts, probeTimeout, metricsAddress, cacheDir, cacheMaxBytes,
                maxArtifactBytes, artifactHosts, keyDir);
    }

    public WorkerConfig withDirs(Path images, Path work) {
        return new WorkerConfig(kafka, workerId, slots, libvirtUri, accelerator, images, work, heartbeatInterval,
                renewInterval, ssh, hostFacts, probeTimeout, metricsAddress, cacheDir, cacheMaxBytes,
                maxArtifactBytes, artifactHosts, keyDir);
    }

    public WorkerConfig withIntervals(Duration heartbeat, Duration renew) {
        return new WorkerConfig(kafka, workerId, slots, libvirtUri, accelerator, imageDir, workDir, heartbeat,
                renew, ssh, hostFacts, probeTimeout, metricsAddress, cacheDir, cacheMaxBytes,
                maxArtifactBytes, artifactHosts, keyDir);
    }

    /** {@code host:port}, port 0 for any free one; empty for no endpoint. */
    public WorkerConfig withMetricsAddress(String address) {
        return new WorkerConfig(kafka, workerId, slots, libvirtUri, accelerator, imageDir, workDir, heartbeatInterval,
                renewInterval, ssh, hostFacts, probeTimeout, address, cacheDir, cacheMaxBytes, maxArtifactBytes,
                artifactHosts, keyDir);
    }

    /** The artifact cache's place, budget, cap per artifact and allowed hosts. */
    public WorkerConfig withArtifactCache(Path dir, long maxBytes, long maxArtifact, List<String> hosts) {
        return new WorkerConfig(kafka, workerId, slots, libvirtUri, accelerator, imageDir, workDir, heartbeatInterval,
                renewInterval, ssh, hostFacts, probeTimeout, metricsAddress, dir, maxBytes, maxArtifact, hosts, keyDir);
    }

    public WorkerConfig withKeyDir(Path dir) {
        return new WorkerConfig(kafka, workerId, slots, libvirtUri, accelerator, imageDir, workDir, heartbeatInterval,
                renewInterval, ssh, hostFacts, probeTimeout, metricsAddress, cacheDir, cacheMaxBytes, maxArtifactBytes,
                artifactHosts, dir);
    }

    private static void requirePositive(String name, Duration d) {
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive, got " + d);
    }

    /** The syntax only: whether the host resolves and the port is free shows when the worker binds it. */
    private static void requireHostPort(String name, String address) {
        try {
            OpsEndpoint.parseAddress(address);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " must be host:port (an empty host listens on every interface,"
                    + " port 0 takes any free port; leave it empty for no endpoint): " + e.getMessage());
        }
    }

    private static String defaultWorkerId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = System.getenv().getOrDefault("HOSTNAME", "worker");
        }
        String id = host.split("\\.")[0].replaceAll("[^A-Za-z0-9_]", "_");
        if (id.isEmpty() || !Character.isLetterOrDigit(id.charAt(0))) id = "w" + id;
        return id.length() > 40 ? id.substring(0, 40) : id;
    }
}
