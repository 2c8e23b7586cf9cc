package org.vmtest.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.kafka.Partitions;
import org.vmtest.protocol.kafka.TopicAdmin;
import org.vmtest.protocol.kafka.Topics;

/**
 * The embedded broker with SASL/SCRAM and the standard KRaft authorizer, loaded with the deployment's ACL list
 * (deploy/kafka/acls.conf): each service's principal can do its part, and a CI principal can read verdicts and
 * nothing else.
 */
class ScramBrokerIT {
    static final Path ACLS = Path.of("..", "deploy", "kafka", "acls.conf");
    private static final String PREFIX = "sec";
    private static final Topics TOPICS = new Topics(PREFIX);
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.builder().scram("admin", "admin-secret").start();
        List<AclBinding> acls = AclFile.read(ACLS, PREFIX);
        for (String user : AclFile.principals(acls)) kafka.upsertScramUser(user, user + "-secret");
        kafka.addAcls(acls);
        TopicAdmin.ensureTopics(settings("admin", "admin-secret").withPartitions(2));
    }

    @AfterAll
    static void stop() {
        if (kafka != null) kafka.close();
    }

    private static KafkaSettings settings(String user, String password) {
        KafkaSettings s = KafkaSettings.of(kafka.bootstrapServers()).withTopicPrefix(PREFIX);
        for (var e : Scram.clientProperties(user, password).entrySet()) s = s.withProperty(e.getKey(), e.getValue());
        return s.withProperty("max.block.ms", "10000").withProperty("request.timeout.ms", "10000")
                .withProperty("default.api.timeout.ms", "10000");
    }

    private static KafkaSettings as(String principal) {
        return settings(principal, principal + "-secret");
    }

    @Test
    void theDeploymentAclFileNamesOnePrincipalPerServiceAndCi() throws Exception {
        assertThat(AclFile.principals(AclFile.read(ACLS, PREFIX)))
                .containsExactlyInAnyOrder("coordinator", "worker", "analyzer", "ci");
    }

    /**
     * The controller listener takes SASL/PLAIN too: a client without credentials (it would arrive as
     * {@code User:ANONYMOUS}, once a super user there) gets nothing from the controllers, the admin does.
     */
    @Test
    void theControllerListenerRefusesAClientWithoutCredentials() throws Exception {
        String controllers = "127.0.0.1:" + kafka.controllerPort();
        Map<String, Object> anonymous = Map.of("bootstrap.controllers", controllers,
                "request.timeout.ms", "5000", "default.api.timeout.ms", "8000");
        try (Admin admin = Admin.create(anonymous)) {
            assertThatThrownBy(() -> admin.describeMetadataQuorum().quorumInfo().get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class);
        }
        Map<String, Object> asAdmin = new java.util.HashMap<>(anonymous);
        asAdmin.put("security.protocol", "SASL_PLAINTEXT");
        asAdmin.put("sasl.mechanism", "PLAIN");
        asAdmin.put("sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"admin-secret\";");
        try (Admin admin = Admin.create(asAdmin)) {
            assertThat(admin.describeMetadataQuorum().quorumInfo().get(20, TimeUnit.SECONDS).leaderId()).isEqualTo(1);
        }
    }

    @Test
    void ciCannotWriteJobs() {
        assertThatThrownBy(() -> send(as("ci"), TOPICS.jobs()))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class);
    }

    @Test
    void ciCannotReadJobs() {
        assertThatThrownBy(() -> readAll(as("ci"), TOPICS.jobs()))
                .isInstanceOf(TopicAuthorizationException.class);
    }

    @Test
    void ciReadsVerdictsThatTheAnalyzerWrote() throws Exception {
        send(as("analyzer"), TOPICS.verdicts());

        assertThat(readAll(as("ci"), TOPICS.verdicts())).isNotEmpty();
    }

    @Test
    void onlyTheCoordinatorWritesJobs() throws Exception {
        send(as("coordinator"), TOPICS.jobs());

        for (String other : List.of("worker", "analyzer")) {
            assertThatThrownBy(() -> send(as(other), TOPICS.jobs())).as(other)
                    .hasRootCauseInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void aWorkerCannotWriteVerdictsOrControl() {
        for (String topic : List.of(TOPICS.verdicts(), TOPICS.control())) {
            assertThatThrownBy(() -> send(as("worker"), topic)).as(topic)
                    .hasRootCauseInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void aWrongPasswordIsRefused() {
        assertThatThrownBy(() -> {
            try (Admin admin = Admin.create(toMap(settings("ci", "wrong").admin("wrong-password")))) {
                admin.listTopics().names().get(10, TimeUnit.SECONDS);
            }
        }).hasRootCauseInstanceOf(SaslAuthenticationException.class);
    }

    @Test
    void aClientWithoutSaslGetsNothing() {
        KafkaSettings plain = KafkaSettings.of(kafka.bootstrapServers()).withTopicPrefix(PREFIX)
                .withProperty("request.timeout.ms", "3000").withProperty("default.api.timeout.ms", "3000");
        assertThatThrownBy(() -> readAll(plain, TOPICS.verdicts()))
                .isInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
    }

    private static Map<String, Object> toMap(java.util.Properties p) {
        Map<String, Object> m = new java.util.HashMap<>();
        p.forEach((k, v) -> m.put((String) k, v));
        return m;
    }

    private static void send(KafkaSettings settings, String topic) throws ExecutionException, InterruptedException {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings.producer("acl-test"))) {
            producer.send(new ProducerRecord<>(topic, "k", "{}".getBytes(StandardCharsets.UTF_8))).get();
        }
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(KafkaSettings settings, String topic) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(settings.assignedConsumer("acl-test"))) {
            List<TopicPartition> partitions =
                    Partitions.assignAll(consumer, topic, Partitions.From.BEGINNING, Duration.ofSeconds(20));
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline
                    && end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }
}
