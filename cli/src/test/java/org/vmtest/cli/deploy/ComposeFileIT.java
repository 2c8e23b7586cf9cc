package org.vmtest.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.vmtest.kafka.embedded.AclFile;

/**
 * The compose file is valid Compose (checked by docker-compose itself, which host-setup --for-tests installs), and
 * the cluster it defines is locked down: SASL on every broker listener, the standard authorizer with the ACLs of
 * deploy/kafka/acls.conf (the file the SASL integration tests load), one principal per service, no password
 * defaults, and nothing published beyond 127.0.0.1.
 */
class ComposeFileIT {
    private static final Path COMPOSE = Path.of("..", "deploy", "compose", "compose.yaml");
    private static final Path ACLS = Path.of("..", "deploy", "kafka", "acls.conf");
    private static final Map<String, String> SECRETS = Map.of(
            "VMTEST_SUBMIT_TOKEN", "submit-token",
            "VMTEST_READ_TOKEN", "read-token",
            "VMTEST_KAFKA_ADMIN_PASSWORD", "admin-pw",
            "VMTEST_KAFKA_COORDINATOR_PASSWORD", "coordinator-pw",
            "VMTEST_KAFKA_ANALYZER_PASSWORD", "analyzer-pw",
            "VMTEST_KAFKA_WORKER_PASSWORD", "worker-pw",
            "VMTEST_KAFKA_CI_PASSWORD", "ci-pw");

    private record Result(int exit, String output) {
    }

    private static Result compose(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("docker-compose", "-f", COMPOSE.toString(), "config"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        for (String name : SECRETS.keySet()) pb.environment().remove(name);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    private static JsonNode config() throws IOException, InterruptedException {
        Result r = compose(SECRETS);
        assertThat(r.exit()).as(r.output()).isZero();
        return new YAMLMapper().readTree(r.output()).get("services");
    }

    @Test
    void theComposeFileParsesAndDefinesTheCluster() throws IOException, InterruptedException {
        Result r = compose(SECRETS, "--services");

        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output().lines().sorted().toList()).containsExactly(
                "analyzer-1", "analyzer-2", "coordinator", "kafka-1", "kafka-2", "kafka-3", "kafka-init");
    }

    @Test
    void everyPublishedPortIsBoundToLoopbackOnly() throws IOException, InterruptedException {
        List<String> published = new ArrayList<>();
        config().fields().forEachRemaining(service -> {
            JsonNode ports = service.getValue().get("ports");
            if (ports != null) ports.forEach(p -> published.add(service.getKey() + " " + p.asText()));
        });

        assertThat(published).hasSize(5).allSatisfy(p -> assertThat(p.split(" ")[1]).startsWith("127.0.0.1:"));
    }

    @Test
    void brokersTakeOnlySaslAndEnforceAcls() throws IOException, InterruptedException {
        JsonNode services = config();
        for (String broker : List.of("kafka-1", "kafka-2", "kafka-3")) {
            JsonNode env = services.get(broker).get("environment");
            assertThat(env.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP").asText().split(","))
                    .as(broker).allSatisfy(m -> assertThat(m.split(":")[1]).isEqualTo("SASL_PLAINTEXT"));
            assertThat(env.get("KAFKA_LISTENERS").asText()).contains("EXTERNAL://", "INTERNAL://", "CONTROLLER://");
            assertThat(env.get("KAFKA_AUTHORIZER_CLASS_NAME").asText())
                    .isEqualTo("org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            assertThat(env.get("KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND").asText()).isEqualTo("false");
            assertThat(env.get("KAFKA_SUPER_USERS").asText()).isEqualTo("User:admin");
            assertThat(env.get("KAFKA_LISTENER_NAME_EXTERNAL_SASL_ENABLED_MECHANISMS").asText()).isEqualTo("SCRAM-SHA-512");
            assertThat(env.get("KAFKA_LISTENER_NAME_INTERNAL_PLAIN_SASL_JAAS_CONFIG").asText()).contains("admin-pw");
        }
    }

    @Test
    void anInitServiceCreatesThePrincipalsAndAclsOfTheSharedAclFileBeforeAnyServiceStarts() throws Exception {
        JsonNode services = config();
        JsonNode init = services.get("kafka-init");
        String mount = init.get("volumes").get(0).asText();
        Path mounted = Path.of(mount.substring(0, mount.indexOf(':')));
        assertThat(mounted.resolve("acls.conf").toRealPath()).isEqualTo(ACLS.toRealPath());
        assertThat(mount).contains(":/opt/vmtest-kafka");
        assertThat(init.get("command").toString()).contains("/opt/vmtest-kafka/create-acls.sh");
        assertThat(Files.isExecutable(mounted.resolve("create-acls.sh"))).isTrue();

        List<String> principals = AclFile.principals(AclFile.read(ACLS, "vmtest"));
        Map<String, String> users = new TreeMap<>();
        for (String service : List.of("coordinator", "analyzer-1", "analyzer-2")) {
            JsonNode s = services.get(service);
            assertThat(s.get("depends_on").get("kafka-init").get("condition").asText()).as(service)
                    .isEqualTo("service_completed_successfully");
            JsonNode env = s.get("environment");
            users.put(service, env.get("VMTEST_KAFKA_USER").asText());
            assertThat(env.get("VMTEST_KAFKA_SECURITY_PROTOCOL").asText()).isEqualTo("SASL_PLAINTEXT");
            assertThat(env.get("VMTEST_KAFKA_PASSWORD").asText()).endsWith("-pw");
        }
        assertThat(users).containsEntry("coordinator", "coordinator").containsEntry("analyzer-1", "analyzer");
        assertThat(principals).containsAll(users.values());
        for (String principal : principals) {
            String var = "VMTEST_KAFKA_" + principal.toUpperCase() + "_PASSWORD";
            assertThat(init.get("environment").get(var)).as(var).isNotNull();
        }
    }

    @Test
    void noPasswordHasADefault() throws IOException, InterruptedException {
        for (String name : SECRETS.keySet()) {
            Map<String, String> env = new TreeMap<>(SECRETS);
            env.remove(name);
            Result r = compose(env);
            assertThat(r.exit()).as("without " + name).isNotZero();
            assertThat(r.output()).as("without " + name).contains("set " + name);
        }
    }
}
