package org.vmtest.cli.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.cli.ExitCodes;
import org.vmtest.cli.Main;
import org.vmtest.kafka.embedded.AclFile;
import org.vmtest.kafka.embedded.EmbeddedKafka;
import org.vmtest.kafka.embedded.Scram;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.kafka.TopicAdmin;
import org.vmtest.protocol.verdicts.RunVerdict;
import org.vmtest.protocol.verdicts.VerdictEvent;
import picocli.CommandLine;

/**
 * {@code --kafka-config FILE} on the CLI's Kafka clients ({@code results}, {@code doctor}), against a broker with
 * SASL/SCRAM and the deployment's ACLs: with the CI principal's settings they work, without them they say what is
 * missing.
 */
class KafkaConfigOptionIT {
    private static final String PREFIX = "cli";
    private static EmbeddedKafka kafka;

    @TempDir
    static Path dir;

    private record Outcome(int exitCode, String out, String err) {
    }

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.builder().scram("admin", "admin-secret").start();
        var acls = AclFile.read(Path.of("..", "deploy", "kafka", "acls.conf"), PREFIX);
        for (String user : AclFile.principals(acls)) kafka.upsertScramUser(user, user + "-secret");
        kafka.addAcls(acls);
        KafkaSettings admin = KafkaSettings.of(kafka.bootstrapServers()).withTopicPrefix(PREFIX);
        for (var e : kafka.adminClientProperties().entrySet()) admin = admin.withProperty(e.getKey(), e.getValue());
        TopicAdmin.ensureTopics(admin);
        RunVerdict verdict = new RunVerdict("run-1", Instant.now(), Verdict.PASSED, Map.of("job-1", Verdict.PASSED), Map.of());
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(admin.producer("cli-test"))) {
            p.send(new ProducerRecord<>(admin.topics().verdicts(), "run-1",
                    JsonSerde.of(VerdictEvent.class).encode(verdict))).get();
        }
    }

    @AfterAll
    static void stop() {
        if (kafka != null) kafka.close();
    }

    private static Path clientConfig(String name, String user, String password) throws Exception {
        Properties p = new Properties();
        p.putAll(Scram.clientProperties(user, password));
        Path file = dir.resolve(name);
        try (var out = Files.newBufferedWriter(file)) {
            p.store(out, "client settings of " + user);
        }
        return file;
    }

    private static Outcome vmtest(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int rc = cli.execute(args);
        return new Outcome(rc, out.toString(), err.toString());
    }

    private static Outcome results(String... extra) {
        List<String> args = new ArrayList<>(List.of("results", "--bootstrap", kafka.bootstrapServers(),
                "--topic-prefix", PREFIX, "--run", "run-1"));
        args.addAll(List.of(extra));
        return vmtest(args.toArray(String[]::new));
    }

    @Test
    void resultsReadsVerdictsAsTheCiPrincipal() throws Exception {
        Outcome o = results("--kafka-config", clientConfig("ci.properties", "ci", "ci-secret").toString());

        assertThat(o.exitCode()).as(o.err()).isZero();
        assertThat(o.out()).contains("run-1 RunVerdict").contains("PASSED");
    }

    @Test
    void resultsWithoutTheClientSettingsSaysWhatIsMissing() {
        Outcome o = results();

        assertThat(o.exitCode()).isEqualTo(ExitCodes.INFRASTRUCTURE);
        assertThat(o.err()).contains("cannot read " + PREFIX + ".verdicts").contains("--kafka-config FILE");
    }

    @Test
    void resultsAsAPrincipalWithoutReadOnVerdictsIsRefused() throws Exception {
        Outcome o = results("--kafka-config", clientConfig("worker.properties", "worker", "worker-secret").toString());

        assertThat(o.exitCode()).isEqualTo(ExitCodes.INFRASTRUCTURE);
        assertThat(o.err()).contains("TopicAuthorizationException");
    }

    @Test
    void anUnreadableKafkaConfigIsAUsageErrorNamingTheFile() {
        Outcome o = results("--kafka-config", dir.resolve("missing.properties").toString());

        assertThat(o.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(o.err()).contains("--kafka-config: cannot read").contains("missing.properties");
    }

    @Test
    void doctorChecksASaslClusterWithTheClientSettings() throws Exception {
        Outcome o = vmtest("doctor", "--bootstrap", kafka.bootstrapServers(),
                "--kafka-config", clientConfig("ci-doctor.properties", "ci", "ci-secret").toString());

        assertThat(o.out()).containsPattern("\\[ok\\] +kafka +.* answers: cluster ");
    }

    @Test
    void doctorWithAWrongPasswordFailsTheKafkaCheck() throws Exception {
        Outcome o = vmtest("doctor", "--bootstrap", kafka.bootstrapServers(),
                "--kafka-config", clientConfig("bad.properties", "ci", "wrong").toString());

        assertThat(o.out()).containsPattern("\\[FAIL\\] +kafka +.* does not answer: .*[Aa]uthentication failed");
    }
}
