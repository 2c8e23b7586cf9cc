package org.vmtest.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.vmtest.coordinator.TestCoordinators.READ_TOKEN;
import static org.vmtest.coordinator.TestCoordinators.SUBMIT_TOKEN;
import static org.vmtest.coordinator.TestCoordinators.get;
import static org.vmtest.coordinator.TestCoordinators.post;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.protocol.codec.Decoded;
import org.vmtest.protocol.codec.Json;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.jobs.JobMessage;
import org.vmtest.protocol.jobs.JobRequested;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.testing.KafkaClusterExtension;

/**
 * What a CI hands a run: variables, secret variables, artifacts and its own profile definitions, through the real
 * coordinator and a real broker. The jobs topic carries the resolved profiles and their artifacts; no other topic,
 * no API answer and no log line carries a secret value or an artifact's header.
 */
class RunInputsIT {
    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static final ObjectMapper JSON = Json.mapper();
    private static final JsonSerde<JobMessage> JOBS = JsonSerde.of(JobMessage.class);
    private static final String SECRET = "s3cr3t-Value-91";
    private static final String HEADER_SECRET = "hdr-secret-77";
    private static final String SHA_KERNEL = "a".repeat(64);
    private static final String SHA_DISK = "b".repeat(64);

    @TempDir
    Path dir;

    /** A profile definition as a CI would send it; {@code ${...}} are the run's variables. */
    private static ObjectNode definition(String name) throws Exception {
        return (ObjectNode) JSON.readTree("""
                {"name": "%s",
                 "description": "built by CI from commit ${COMMIT:-unknown}",
                 "vm": {"kernel": "artifact:kernel", "initrd": "initrd.img",
                        "cmdline": "console=ttyS0 vmtest.scenario=pass token=${TOKEN}", "disk": "artifact:disk"},
                 "install": [{"run": "echo $${HOME} ${MISSING:-fallback} ${TOKEN}"}],
                 "tests": [{"name": "greets", "run": "echo ${GREETING}", "expectOutput": "^${GREETING}$"}],
                 "patterns": [{"id": "ci.oops", "regex": "oops (?<what>\\\\w+)", "category": "failure",
                               "title": "oops: ${what}"}]}
                """.formatted(name));
    }

    private static ObjectNode artifact(String url, String sha, Map<String, String> headers) {
        ObjectNode a = JSON.createObjectNode().put("url", url).put("sha256", sha);
        if (!headers.isEmpty()) a.set("headers", JSON.valueToTree(headers));
        return a;
    }

    private static ObjectNode submission() throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.set("profiles", JSON.valueToTree(List.of("pass")));
        body.set("variables", JSON.valueToTree(Map.of("GREETING", "hello-vmtest", "COMMIT", "abc123")));
        body.set("secretVariables", JSON.valueToTree(Map.of("TOKEN", SECRET)));
        ObjectNode artifacts = body.putObject("artifacts");
        artifacts.set("kernel", artifact("https://ci.example/kernel", SHA_KERNEL,
                Map.of("Authorization", "Bearer " + HEADER_SECRET)));
        artifacts.set("disk", artifact("https://ci.example/disk.qcow2.zst", SHA_DISK, Map.of()));
        artifacts.set("unused", artifact("http://ci.example/other", "c".repeat(64), Map.of()));
        body.putArray("profileDefinitions").add(definition("from-ci"));
        return body;
    }

    @Test
    void aDefinitionWithVariablesReachesTheJobsTopicResolvedAndNothingElseCarriesASecret() throws Exception {
        KafkaSettings kafka = KAFKA.settings();
        Path log = dir.resolve("coordinator.log");
        String runId;
        try (Coordinator c = Coordinator.start(withLogFile(TestCoordinators.configFile(dir.resolve("a"), kafka,
                TestCoordinators.PROFILES, ""), log))) {
            HttpResponse<String> created = post(api(c, "/runs"), SUBMIT_TOKEN, submission().toString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            runId = JSON.readTree(created.body()).get("id").asText();
            assertThat(created.body()).doesNotContain(SECRET).doesNotContain(HEADER_SECRET);

            List<JobRequested> jobs = jobsOf(kafka, runId);
            assertThat(jobs).extracting(j -> j.profile().name()).containsExactly("pass", "from-ci");
            assertThat(jobs.get(0).artifacts()).isEmpty();
            JobRequested ci = jobs.get(1);
            assertThat(ci.profile().vm().cmdline()).isEqualTo("console=ttyS0 vmtest.scenario=pass token=" + SECRET);
            assertThat(ci.profile().description()).isEqualTo("built by CI from commit abc123");
            assertThat(ci.profile().install().get(0).run()).isEqualTo("echo ${HOME} fallback " + SECRET);
            assertThat(ci.profile().install().get(0).name()).as("a name is shown: the secret in it is masked")
                    .isEqualTo("echo ${HOME} fallback ***");
            assertThat(ci.profile().tests().get(0).run()).isEqualTo("echo hello-vmtest");
            assertThat(ci.profile().tests().get(0).expectOutput()).isEqualTo("^hello-vmtest$");
            assertThat(ci.profile().patterns().get(0).title()).as("patterns are the analyzer's").isEqualTo("oops: ${what}");
            assertThat(ci.secrets()).as("for the worker to mask").containsExactly(SECRET);
            assertThat(ci.artifacts()).containsOnlyKeys("kernel", "disk");
            assertThat(ci.artifacts().get("kernel").headers()).containsEntry("Authorization", "Bearer " + HEADER_SECRET);

            JsonNode run = JSON.readTree(get(api(c, "/runs/" + runId), READ_TOKEN).body());
            assertShownMasked(run);
            await().atMost(Duration.ofSeconds(60)).until(() -> TestCoordinators.readAll(kafka, kafka.topics().runs())
                    .stream().filter(r -> r.key().equals(runId)).count() >= 2);
            assertShownProfileMasked(c, runId);
        }

        // Only the jobs topic carries the secrets (and does: the search below is not blind).
        assertThat(text(TestCoordinators.readAll(kafka, kafka.topics().jobs()))).contains(SECRET, HEADER_SECRET);
        for (String topic : List.of(kafka.topics().runs(), kafka.topics().runCommands(), kafka.topics().stream(),
                kafka.topics().verdicts(), kafka.topics().control(), kafka.topics().dlq())) {
            String all = text(TestCoordinators.readAll(kafka, topic));
            assertThat(all).as(topic).doesNotContain(SECRET).doesNotContain(HEADER_SECRET);
        }
        String runs = text(TestCoordinators.readAll(kafka, kafka.topics().runs()));
        assertThat(runs).as("the run's record holds what the API shows").contains(runId, "hello-vmtest", "***");
        // the file appender writes asynchronously: wait for the submission's line
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(log).contains("run submitted"));
        String logged = Files.readString(log);
        assertThat(logged).as("the coordinator's log").contains(runId).doesNotContain(SECRET).doesNotContain(HEADER_SECRET);

        // A coordinator that starts afresh knows the run's inputs from the runs topic alone.
        try (Coordinator fresh = Coordinator.start(TestCoordinators.configFile(dir.resolve("b"), kafka,
                TestCoordinators.PROFILES, "archiveGroupId: " + kafka.topics().prefix() + "-archive-b"))) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(get(api(fresh, "/runs/" + runId), READ_TOKEN).statusCode()).isEqualTo(200));
            assertShownMasked(JSON.readTree(get(api(fresh, "/runs/" + runId), READ_TOKEN).body()));
            assertShownProfileMasked(fresh, runId);
            assertThat(get(api(fresh, "/runs/" + runId + "/profiles/nope"), READ_TOKEN).statusCode()).isEqualTo(404);
        }
    }

    private static void assertShownMasked(JsonNode run) {
        assertThat(run.toString()).doesNotContain(SECRET).doesNotContain(HEADER_SECRET);
        assertThat(run.get("variables").get("GREETING").asText()).isEqualTo("hello-vmtest");
        assertThat(run.get("variables").get("TOKEN").asText()).isEqualTo("***");
        assertThat(run.get("artifacts").get("kernel").get("url").asText()).isEqualTo("https://ci.example/kernel");
        assertThat(run.get("artifacts").get("kernel").get("sha256").asText()).isEqualTo(SHA_KERNEL);
        assertThat(run.get("artifacts").get("kernel").path("headers").size()).isZero();
        assertThat(run.get("artifacts").get("disk").get("compression").asText()).isEqualTo("ZSTD");
    }

    private static void assertShownProfileMasked(Coordinator c, String runId) throws Exception {
        HttpResponse<String> r = get(api(c, "/runs/" + runId + "/profiles/from-ci"), READ_TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode profile = JSON.readTree(r.body());
        assertThat(r.body()).doesNotContain(SECRET);
        assertThat(profile.get("vm").get("cmdline").asText()).isEqualTo("console=ttyS0 vmtest.scenario=pass token=***");
        assertThat(profile.get("install").get(0).get("run").asText()).isEqualTo("echo ${HOME} fallback ***");
        assertThat(profile.get("tests").get(0).get("expectOutput").asText()).isEqualTo("^hello-vmtest$");
        HttpResponse<String> pass = get(api(c, "/runs/" + runId + "/profiles/pass"), READ_TOKEN);
        assertThat(pass.statusCode()).as(pass.body()).isEqualTo(200);
        assertThat(JSON.readTree(pass.body()).get("vm").get("disk").asText()).isEqualTo("base.qcow2");
    }

    @Test
    void badInputIsRefusedWith400NamingTheFieldAndTheServiceGoesOn() throws Exception {
        try (Coordinator c = Coordinator.start(TestCoordinators.configFile(dir, KAFKA.settings(),
                TestCoordinators.PROFILES, ""))) {
            ObjectNode missing = submission();
            ((ObjectNode) missing.get("variables")).remove("GREETING");
            assertRefused(c, missing, "profileDefinitions[0]", "from-ci", "tests[0].run", "GREETING");

            ObjectNode unknownArtifact = submission();
            ((ObjectNode) unknownArtifact.get("artifacts")).remove("disk");
            assertRefused(c, unknownArtifact, "profileDefinitions[0]", "from-ci", "vm.disk", "unknown artifact 'disk'");

            ObjectNode unknownKey = submission();
            ((ObjectNode) unknownKey.get("profileDefinitions").get(0).get("vm")).put("memry", 512);
            assertRefused(c, unknownKey, "profileDefinitions[0]", "vm", "unknown key 'memry'");

            ObjectNode badRegex = submission();
            ((ObjectNode) badRegex.get("profileDefinitions").get(0).get("tests").get(0)).put("expectOutput", "(unclosed");
            assertRefused(c, badRegex, "profileDefinitions[0]", "expectOutput", "not a valid regex");

            ObjectNode hostile = submission();
            ((ObjectNode) hostile.get("profileDefinitions").get(0).get("patterns").get(0)).put("regex", "(a+)+$");
            assertRefused(c, hostile, "profileDefinitions[0].patterns", "pattern ci.oops", "backtrack");

            ObjectNode badName = submission();
            ((ObjectNode) badName.get("variables")).put("lower_case", "x");
            assertRefused(c, badName, "variables.lower_case", "must match [A-Z][A-Z0-9_]*");

            ObjectNode tooMany = submission();
            for (int i = 0; i < 100; i++) ((ObjectNode) tooMany.get("variables")).put("V" + i, "x");
            assertRefused(c, tooMany, "variables", "at most 100 variables");

            ObjectNode tooLong = submission();
            ((ObjectNode) tooLong.get("secretVariables")).put("TOKEN", "x".repeat(4097));
            assertRefused(c, tooLong, "secretVariables.TOKEN", "4097 bytes, at most 4096");

            ObjectNode ftp = submission();
            ((ObjectNode) ftp.get("artifacts").get("disk")).put("url", "ftp://ci.example/disk");
            assertRefused(c, ftp, "artifacts.disk", "http or https");

            ObjectNode badSha = submission();
            ((ObjectNode) badSha.get("artifacts").get("kernel")).put("sha256", "abc123");
            assertRefused(c, badSha, "artifacts.kernel", "sha256 must be 64 hex digits");

            ObjectNode clash = submission();
            ((ObjectNode) clash.get("profileDefinitions").get(0)).put("name", "pass");
            assertRefused(c, clash, "profileDefinitions[0].name", "catalogue profile's name");

            ObjectNode secretShown = submission();
            ((ObjectNode) secretShown.get("profileDefinitions").get(0)).put("description", "token ${TOKEN}");
            assertRefused(c, secretShown, "profileDefinitions[0]", "description", "secret variable TOKEN");

            ObjectNode nothing = JSON.createObjectNode();
            nothing.putArray("profiles");
            assertRefused(c, nothing, "profiles", "at least one profile");

            // A realistic submission of several definitions fits in the request limit; the service still answers.
            ObjectNode several = submission();
            several.putArray("profiles");
            for (int i = 0; i < 12; i++) ((com.fasterxml.jackson.databind.node.ArrayNode) several.get("profileDefinitions"))
                    .add(definition("from-ci-" + i));
            HttpResponse<String> ok = post(api(c, "/runs"), SUBMIT_TOKEN, several.toString());
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
            assertThat(JSON.readTree(ok.body()).get("jobs")).hasSize(13);
        }
    }

    private static void assertRefused(Coordinator c, ObjectNode body, String field, String... inMessage)
            throws Exception {
        HttpResponse<String> r = post(api(c, "/runs"), SUBMIT_TOKEN, body.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode error = JSON.readTree(r.body());
        assertThat(error.path("field").asText()).as(r.body()).isEqualTo(field);
        assertThat(error.get("message").asText()).contains(inMessage);
        assertThat(r.body()).doesNotContain(SECRET);
    }

    private static List<JobRequested> jobsOf(KafkaSettings kafka, String runId) {
        return TestCoordinators.readAll(kafka, kafka.topics().jobs()).stream()
                .map(rec -> JOBS.decode(rec.value()))
                .filter(d -> d instanceof Decoded.Ok<JobMessage>)
                .map(d -> (JobRequested) ((Decoded.Ok<JobMessage>) d).value())
                .filter(j -> j.runId().equals(runId))
                .toList();
    }

    private static String text(List<ConsumerRecord<String, byte[]>> records) {
        StringBuilder sb = new StringBuilder();
        for (ConsumerRecord<String, byte[]> r : records) {
            sb.append(r.key()).append(' ');
            if (r.value() != null) sb.append(new String(r.value(), StandardCharsets.UTF_8));
            sb.append('\n');
        }
        return sb.toString();
    }

    private static URI api(Coordinator c, String path) {
        return c.baseUri().resolve("/api/v1" + path);
    }

    /** The config with every logger of the coordinator at DEBUG, into a file the test reads. */
    private static Path withLogFile(Path config, Path log) throws Exception {
        String yaml = Files.readString(config).replace("""
                logging:
                  level: WARN
                  loggers: {org.vmtest: INFO, org.apache.kafka: ERROR}
                """, """
                logging:
                  level: DEBUG
                  loggers: {org.apache.kafka: INFO, org.eclipse.jetty: INFO}
                  appenders: [{type: console, threshold: INFO}, {type: file, currentLogFilename: "%s", archive: false}]
                """.formatted(log));
        assertThat(yaml).contains(log.toString());
        Files.writeString(config, yaml);
        return config;
    }
}
