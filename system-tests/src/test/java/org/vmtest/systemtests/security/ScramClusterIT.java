package org.vmtest.systemtests.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.verdicts.RunVerdict;
import org.vmtest.systemtests.SystemTestSetup;
import org.vmtest.testing.cluster.ProcessCluster;
import org.vmtest.testing.cluster.ServiceProcess;
import org.vmtest.testing.cluster.TopicReader;

/**
 * The whole cluster on a broker with SASL/SCRAM and the standard authorizer, each service logging in as its own
 * principal with only the ACLs of deploy/kafka/acls.conf (what the compose cluster gets): a run of {@code pass}
 * passes end to end, a CI principal reads its RunVerdict, and cannot write a job.
 */
class ScramClusterIT {
    private ProcessCluster cluster;

    @BeforeEach
    void start() {
        Path acls = SystemTestSetup.profilesDir().toAbsolutePath().getParent().resolve("kafka").resolve("acls.conf");
        cluster = ProcessCluster.builder(SystemTestSetup.guestDir(), SystemTestSetup.profilesDir())
                .scram(acls).workers(1).start();
    }

    @AfterEach
    void stop() {
        if (cluster != null) cluster.close();
    }

    @Test
    void aPassRunPassesWithOnePrincipalPerServiceAndCiReadsItsVerdict() throws Exception {
        JsonNode run = cluster.api().submit(List.of("pass"));
        String runId = run.get("id").asText();

        JsonNode done = Awaitility.await("run " + runId + " DONE").atMost(Duration.ofMinutes(4))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> cluster.api().run(runId), r -> "DONE".equals(r.get("state").asText()));
        assertThat(done.get("verdict").asText()).as(cluster.diagnostics()).isEqualTo("PASSED");

        KafkaSettings ci = as("ci");
        List<RunVerdict> seenByCi = new TopicReader(ci).runVerdicts(runId);
        assertThat(seenByCi).extracting(RunVerdict::verdict).containsExactly(Verdict.PASSED);
        assertThatThrownBy(() -> {
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(ci.producer("ci-writes-a-job"))) {
                producer.send(new ProducerRecord<>(cluster.topics().jobs(), "forged",
                        "{}".getBytes(StandardCharsets.UTF_8))).get();
            }
        }).hasRootCauseInstanceOf(TopicAuthorizationException.class);

        for (ServiceProcess service : List.of(cluster.coordinator(), cluster.analyzer(0), cluster.worker(0))) {
            assertThat(Files.readString(service.logFile())).as(service + " log")
                    .doesNotContain("AuthorizationException", "authorization failed", "AUTHORIZATION_FAILED");
        }
    }

    private KafkaSettings as(String principal) {
        KafkaSettings s = KafkaSettings.of(cluster.kafka().bootstrapServers()).withTopicPrefix(cluster.topics().prefix());
        for (var e : cluster.clientProperties(principal).entrySet()) s = s.withProperty(e.getKey(), e.getValue());
        return s.withProperty("max.block.ms", "15000");
    }
}
