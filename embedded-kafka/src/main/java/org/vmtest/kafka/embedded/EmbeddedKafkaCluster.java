package org.vmtest.kafka.embedded;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A KRaft cluster of N nodes, each its own OS process ({@link EmbeddedKafkaProcess}) acting as broker and
 * controller, as a production cluster of combined nodes runs: one cluster id, one controller quorum of every node,
 * and topics replicated to 3 nodes with 2 in sync ({@link EmbeddedKafka#defaults}). The nodes start at once; the
 * cluster is ready when every broker is registered and the quorum has a leader. A test kills a node with
 * {@link #kill(int)} (SIGKILL) and starts it again with {@link #restart(int)} on the same ports and data.
 *
 * <pre>
 * try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(3, null)) {
 *     kafka.kill(kafka.activeControllerId());
 * }
 * </pre>
 */
public final class EmbeddedKafkaCluster implements ScramBroker, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);
    private static final String HOST = "127.0.0.1";
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    /** Node ids are 1..N; node {@code id} is {@code nodes.get(id - 1)}. */
    private final List<EmbeddedKafkaProcess> nodes;
    private final String bootstrapServers;
    private final Scram scram;

    private EmbeddedKafkaCluster(List<EmbeddedKafkaProcess> nodes, Scram scram) {
        this.nodes = List.copyOf(nodes);
        this.bootstrapServers = nodes.stream().map(EmbeddedKafkaProcess::address).collect(Collectors.joining(","));
        this.scram = scram;
    }

    /**
     * Starts {@code size} nodes at once and returns when all are ready.
     *
     * @param scram SASL/SCRAM and ACLs on every node's broker listener (see {@link Scram}), or null for plaintext
     */
    public static EmbeddedKafkaCluster start(int size, Scram scram) {
        if (size < 1) throw new IllegalArgumentException("a cluster needs at least one node, got " + size);
        long started = System.nanoTime();
        List<Integer> ports = new ArrayList<>();
        List<Integer> controllerPorts = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            ports.add(EmbeddedKafka.freePort(HOST));
            controllerPorts.add(EmbeddedKafka.freePort(HOST));
        }
        StringBuilder voters = new StringBuilder();
        for (int i = 0; i < size; i++) {
            if (i > 0) voters.append(',');
            voters.append(i + 1).append('@').append(HOST).append(':').append(controllerPorts.get(i));
        }
        String clusterId = Uuid.randomUuid().toString();
        List<EmbeddedKafkaProcess> nodes = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            nodes.add(EmbeddedKafkaProcess.prepare(HOST, ports.get(i), controllerPorts.get(i), List.of(), List.of(
                    "--node-id", Integer.toString(i + 1),
                    "--cluster-id", clusterId,
                    "--controller-quorum-voters", voters.toString()), scram));
        }
        EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(nodes, scram);
        try {
            // Each node waits for all the others to register: they must start together.
            CompletableFuture.allOf(nodes.stream()
                    .map(n -> CompletableFuture.runAsync(n::launch))
                    .toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            cluster.close();
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        LOG.info("Kafka cluster of {} nodes ready on {} in {} ms", size, cluster.bootstrapServers,
                Duration.ofNanos(System.nanoTime() - started).toMillis());
        return cluster;
    }

    /** Every node's broker address, for {@code bootstrap.servers}. */
    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public Map<String, String> adminClientProperties() {
        return scram == null ? Map.of() : Scram.clientProperties(scram.adminUser(), scram.adminPassword());
    }

    public int size() {
        return nodes.size();
    }

    /** Node ids, 1..{@link #size()}. */
    public List<Integer> nodeIds() {
        List<Integer> ids = new ArrayList<>();
        for (int i = 1; i <= nodes.size(); i++) ids.add(i);
        return ids;
    }

    public EmbeddedKafkaProcess node(int nodeId) {
        if (nodeId < 1 || nodeId > nodes.size()) {
            throw new IllegalArgumentException("no node " + nodeId + " (nodes are 1.." + nodes.size() + ")");
        }
        return nodes.get(nodeId - 1);
    }

    /** SIGKILL of node {@code nodeId}: its broker and its controller vanish as when its host dies. */
    public void kill(int nodeId) {
        node(nodeId).kill();
    }

    /** Starts node {@code nodeId} again on its ports and data; returns once its broker is registered again. */
    public void restart(int nodeId) {
        node(nodeId).restart();
    }

    /** The metadata quorum's leader, asked of the nodes that are alive (Admin API {@code describeMetadataQuorum}). */
    public int activeControllerId() {
        return quorum().leaderId();
    }

    /** The metadata quorum as the nodes alive see it: leader, voters and how far each follower has caught up. */
    public QuorumInfo quorum() {
        try (Admin admin = Admin.create(adminOfLiveNodes())) {
            return admin.describeMetadataQuorum().quorumInfo().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot describe the metadata quorum of " + bootstrapServers + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing the metadata quorum", e);
        }
    }

    /** Ids of the brokers registered and unfenced now. */
    public List<Integer> liveBrokerIds() {
        try (Admin admin = Admin.create(adminOfLiveNodes())) {
            return admin.describeCluster().nodes().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).stream()
                    .map(org.apache.kafka.common.Node::id).sorted().toList();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot describe the cluster " + bootstrapServers + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing the cluster", e);
        }
    }

    private Map<String, Object> adminOfLiveNodes() {
        String live = nodes.stream().filter(EmbeddedKafkaProcess::isAlive).map(EmbeddedKafkaProcess::address)
                .collect(Collectors.joining(","));
        Map<String, Object> props = new LinkedHashMap<>(adminClientProperties());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, live.isEmpty() ? bootstrapServers : live);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-cluster-admin");
        return props;
    }

    /** Kills every node and deletes their data. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (EmbeddedKafkaProcess node : nodes) {
            try {
                node.close();
            } catch (RuntimeException e) {
                if (failure == null) failure = e;
            }
        }
        if (failure != null) throw failure;
    }

    @Override
    public String toString() {
        return "EmbeddedKafkaCluster[" + bootstrapServers + "]";
    }
}
