package org.vmtest.protocol.kafka;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * How every vmtest service reaches Kafka, as written in its YAML config under {@code kafka:}. Anything in
 * {@code properties} goes to every client unchanged, so SASL and SSL settings work as Kafka documents them.
 *
 * <pre>
 * kafka:
 *   bootstrapServers: broker1:9092,broker2:9092
 *   topicPrefix: vmtest
 *   partitions: 6
 *   replicationFactor: 3
 *   properties:
 *     security.protocol: SASL_SSL
 *     sasl.mechanism: SCRAM-SHA-512
 * </pre>
 */
public final class KafkaSettings {
    @JsonProperty
    private String bootstrapServers = "127.0.0.1:9092";
    @JsonProperty
    private String topicPrefix = Topics.DEFAULT_PREFIX;
    @JsonProperty
    private int partitions = 6;
    @JsonProperty
    private short replicationFactor = 1;
    @JsonProperty
    private boolean createTopics = true;
    @JsonProperty
    private Map<String, String> properties = new HashMap<>();

    public KafkaSettings() {
    }

    public static KafkaSettings of(String bootstrapServers) {
        KafkaSettings s = new KafkaSettings();
        s.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        return s;
    }

    public KafkaSettings withTopicPrefix(String prefix) {
        KafkaSettings s = copy();
        s.topicPrefix = prefix;
        return s;
    }

    public KafkaSettings withPartitions(int n) {
        KafkaSettings s = copy();
        s.partitions = n;
        return s;
    }

    public KafkaSettings withReplicationFactor(short n) {
        if (n < 1) throw new IllegalArgumentException("replicationFactor must be at least 1, got " + n);
        KafkaSettings s = copy();
        s.replicationFactor = n;
        return s;
    }

    public KafkaSettings withProperty(String key, String value) {
        KafkaSettings s = copy();
        s.properties.put(key, value);
        return s;
    }

    private KafkaSettings copy() {
        KafkaSettings s = new KafkaSettings();
        s.bootstrapServers = bootstrapServers;
        s.topicPrefix = topicPrefix;
        s.partitions = partitions;
        s.replicationFactor = replicationFactor;
        s.createTopics = createTopics;
        s.properties = new HashMap<>(properties);
        return s;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Topics topics() {
        return new Topics(topicPrefix);
    }

    public int partitions() {
        return partitions;
    }

    public short replicationFactor() {
        return replicationFactor;
    }

    public boolean createTopics() {
        return createTopics;
    }

    public Map<String, String> properties() {
        return Map.copyOf(properties);
    }

    private Properties base(String clientId) {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        p.putAll(properties);
        return p;
    }

    public Properties admin(String clientId) {
        Properties p = base(clientId);
        p.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        return p;
    }

    /**
     * An idempotent producer (string keys, byte values) tuned for streaming console lines: a line must reach
     * the analyzer within milliseconds, so batches wait at most {@code linger.ms=2}.
     */
    public Properties producer(String clientId) {
        Properties p = base(clientId);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "2");
        p.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return p;
    }

    /** A transactional producer: all of its records of one transaction land, or none. */
    public Properties transactionalProducer(String clientId, String transactionalId) {
        Properties p = producer(clientId);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        return p;
    }

    /** A consumer-group consumer (string keys, byte values: decoding is the caller's, so bad bytes reach the DLQ). */
    public Properties consumer(String clientId, String groupId) {
        Properties p = base(clientId);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return p;
    }

    /**
     * A consumer without a group, for readers that assign partitions themselves and keep no offsets in Kafka
     * (every coordinator's full view, the CLI's {@code results}, test readers): it disturbs no group.
     */
    public Properties assignedConsumer(String clientId) {
        Properties p = consumer(clientId, "unused");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return p;
    }

    /** A share-group consumer with explicit acknowledgement: the worker decides when a job is done. */
    public Properties shareConsumer(String clientId, String shareGroupId) {
        Properties p = base(clientId);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, shareGroupId);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
        return p;
    }

    /** Kafka Streams: exactly-once, so a restarted analyzer neither loses nor doubles a verdict. */
    public Properties streams(String applicationId) {
        Properties p = base(applicationId);
        p.put("application.id", applicationId);
        p.putIfAbsent("processing.guarantee", "exactly_once_v2");
        p.putIfAbsent("replication.factor", Short.toString(replicationFactor));
        p.putIfAbsent("commit.interval.ms", "100");
        // A crashed instance's tasks (an analyzer's aborts, a coordinator's run state) wait for its session to
        // expire before another instance takes them: 10 s rather than the client's default 45 s.
        p.putIfAbsent("session.timeout.ms", "10000");
        p.putIfAbsent("heartbeat.interval.ms", "3000");
        return p;
    }
}
