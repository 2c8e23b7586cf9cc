package org.vmtest.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.kafka.Partitions;
import org.vmtest.protocol.kafka.Topics;
import org.vmtest.protocol.kafka.TopicAdmin;

/**
 * Gives a test class a real Kafka cluster. One cluster serves every test class of the JVM (started by the first
 * that asks, stopped when the test run ends); each test class gets its own topic prefix, so tests never see each
 * other's records. Which cluster is used is decided by {@link KafkaClusters} and logged.
 *
 * <pre>
 * &#64;RegisterExtension
 * static final KafkaClusterExtension kafka = new KafkaClusterExtension();
 *
 * &#64;Test
 * void jobReachesTheWorker() {
 *     kafka.createTopics();
 *     KafkaSettings settings = kafka.settings();
 *     ...
 * }
 * </pre>
 *
 * With {@code @ExtendWith(KafkaClusterExtension.class)}, test methods and constructors may take a
 * {@link KafkaSettings} or the {@code KafkaClusterExtension} itself as a parameter.
 */
public final class KafkaClusterExtension implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback,
        ParameterResolver {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaClusterExtension.class);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaClusterExtension.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    /** Small, so that creating the whole topic catalogue per test class stays quick on one broker. */
    private static final int TEST_PARTITIONS = 3;

    private final String topicPrefix;
    private volatile KafkaCluster cluster;
    private KafkaProducer<String, byte[]> producer;

    public KafkaClusterExtension() {
        this.topicPrefix = "t" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        attach(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        attach(context);
    }

    private void attach(ExtensionContext context) {
        if (cluster != null) return;
        cluster = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(KafkaCluster.class, type -> startShared(), KafkaCluster.class);
    }

    private static KafkaCluster startShared() {
        KafkaCluster started = KafkaClusters.start();
        LOG.info("tests use the {}", started.description());
        return started;
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
            producer = null;
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext extension) {
        Class<?> type = parameter.getParameter().getType();
        return type == KafkaSettings.class || type == KafkaClusterExtension.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext extension) {
        attach(extension);
        return parameter.getParameter().getType() == KafkaSettings.class ? settings() : this;
    }

    public String bootstrapServers() {
        KafkaCluster c = cluster;
        if (c == null) {
            throw new IllegalStateException("no Kafka cluster yet: register KafkaClusterExtension with"
                    + " @RegisterExtension on a static field or with @ExtendWith, and use it from a test or a callback");
        }
        return c.bootstrapServers();
    }

    /** This test class's prefix, e.g. {@code t1a2b3c4d}: its topics are {@code t1a2b3c4d.jobs} and so on. */
    public String topicPrefix() {
        return topicPrefix;
    }

    public Topics topics() {
        return new Topics(topicPrefix);
    }

    /** Client settings for the shared cluster, with this test class's topic prefix and few partitions. */
    public KafkaSettings settings() {
        return KafkaSettings.of(bootstrapServers()).withTopicPrefix(topicPrefix).withPartitions(TEST_PARTITIONS);
    }

    /** Creates the whole topic catalogue of this test class, as the services do at start. */
    public List<String> createTopics() {
        return createTopics(settings());
    }

    public List<String> createTopics(KafkaSettings settings) {
        return TopicAdmin.ensureTopics(settings);
    }

    /** Creates one topic outside the catalogue (its name should start with {@link #topicPrefix()}). */
    public void createTopic(String name, int partitions) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all()
                    .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create topic " + name + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        }
    }

    /** An admin client for the shared cluster; the caller closes it. */
    public Admin admin() {
        return Admin.create(settings().admin("test-admin-" + topicPrefix));
    }

    /**
     * Sets dynamic configs of a share group, e.g. {@code share.auto.offset.reset=earliest} (else a new group only
     * sees records produced after it first fetched), {@code share.record.lock.duration.ms} or
     * {@code share.renew.acknowledge.enable=true} (without which the broker refuses RENEW acknowledgements).
     */
    public void configureShareGroup(String groupId, Map<String, String> configs) {
        ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, groupId);
        List<AlterConfigOp> ops = configs.entrySet().stream()
                .map(e -> new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET))
                .toList();
        try (Admin admin = admin()) {
            admin.incrementalAlterConfigs(Map.of(group, ops)).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot configure share group " + groupId + " with " + configs + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while configuring share group " + groupId, e);
        }
    }

    /** Produces one record and waits for the broker's acknowledgement. */
    public RecordMetadata produce(String topic, String key, byte[] value) {
        try {
            return producer().send(new ProducerRecord<>(topic, key, value)).get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot produce to " + topic + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while producing to " + topic, e);
        }
    }

    private synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(settings().producer("test-producer-" + topicPrefix));
        }
        return producer;
    }

    /**
     * Reads {@code topic} from the beginning (committed records only) until {@code count} records arrived.
     *
     * @throws AssertionError naming the topic and what arrived, if fewer arrived within {@code timeout}
     */
    public List<ConsumerRecord<String, byte[]>> consumeAll(String topic, int count, Duration timeout) {
        List<ConsumerRecord<String, byte[]>> records = read(topic, count, timeout);
        if (records.size() < count) {
            throw new AssertionError("expected " + count + " records on " + topic + " within " + timeout.toMillis()
                    + " ms, got " + records.size());
        }
        return records;
    }

    /** Everything on {@code topic} from the beginning that arrives within {@code duration}: to show absence. */
    public List<ConsumerRecord<String, byte[]>> consumeFor(String topic, Duration duration) {
        return read(topic, Integer.MAX_VALUE, duration);
    }

    private List<ConsumerRecord<String, byte[]>> read(String topic, int count, Duration timeout) {
        Properties props = settings().assignedConsumer("test-reader-" + topicPrefix);
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            if (Partitions.assignAll(consumer, topic, Partitions.From.BEGINNING, timeout).isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist on " + bootstrapServers());
            }
            while (records.size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                consumer.poll(Duration.ofNanos(Math.min(left, Duration.ofMillis(200).toNanos()))).forEach(records::add);
            }
        }
        return records;
    }
}
