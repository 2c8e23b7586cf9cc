package org.vmtest.cli.runs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.cli.Main;
import org.vmtest.cli.client.CoordinatorClient;
import org.vmtest.coordinator.Coordinator;
import org.vmtest.protocol.codec.Json;
import org.vmtest.testing.KafkaClusterExtension;

/** {@code vmtest submit --profile-file --var} against a real coordinator: the profile arrives, resolved. */
class SubmitCommandIT {
    private static final String TOKEN = "submit-it-token";
    private static final Pattern SUBMITTED = Pattern.compile("submitted run (\\S+) \\((\\d+) jobs\\)");

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    @TempDir
    Path dir;

    private Path config() throws Exception {
        String yaml = """
                kafka:
                  bootstrapServers: "%s"
                  topicPrefix: "%s"
                  createTopics: true
                profilesDir: "%s"
                archiveDir: "%s"
                auth:
                  tokens:
                    - {name: ci, token: "%s", scopes: [submit, read]}
                server:
                  applicationConnectors: [{type: http, port: 0, bindHost: 127.0.0.1}]
                  adminConnectors: [{type: http, port: 0, bindHost: 127.0.0.1}]
                  requestLog: {appenders: []}
                logging:
                  level: WARN
                """.formatted(KAFKA.bootstrapServers(), KAFKA.topicPrefix(),
                Path.of("../deploy/profiles").toAbsolutePath().normalize(), dir.resolve("archive"), TOKEN);
        return Files.writeString(dir.resolve("coordinator.yml"), yaml);
    }

    @Test
    void aProfileFileWithVariablesReachesTheCoordinatorAndRunsResolved() throws Exception {
        Path profile = Files.writeString(dir.resolve("ci.yaml"), """
                name: from-ci
                vm:
                  kernel: vmlinuz
                  initrd: initrd.img
                  cmdline: "console=ttyS0 vmtest.scenario=${SCENARIO}"
                  disk: artifact:disk
                tests:
                  - name: selftest
                    run: "vmtest-selftest --token ${TOKEN}"
                    expectOutput: "${EXPECTED:-selftest: ok}"
                """);
        Path secret = Files.writeString(dir.resolve("token"), "t0ken-from-file\n");
        try (Coordinator c = Coordinator.start(config())) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int exit = Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                    .execute("submit", "--url", c.baseUri().toString(), "--token", TOKEN,
                            "--profile-file", profile.toString(), "--profile", "pass", "--var", "SCENARIO=pass",
                            "--secret-var", "TOKEN=@" + secret,
                            "--artifact", "disk=https://ci.example/disk.qcow2#sha256=" + "d".repeat(64));
            assertThat(exit).as(out + "\n" + err).isZero();
            Matcher m = SUBMITTED.matcher(out.toString());
            assertThat(m.find()).as(out.toString()).isTrue();
            assertThat(m.group(2)).isEqualTo("2");

            String runId = m.group(1);
            CoordinatorClient client = new CoordinatorClient(c.baseUri(), TOKEN);
            assertThat(client.run(runId).jobs()).hasSize(2);
            JsonNode resolved = Json.mapper().readTree(get(c.baseUri().resolve(
                    "/api/v1/runs/" + runId + "/profiles/from-ci")));
            assertThat(resolved.get("vm").get("cmdline").asText()).isEqualTo("console=ttyS0 vmtest.scenario=pass");
            assertThat(resolved.get("vm").get("disk").asText()).isEqualTo("artifact:disk");
            assertThat(resolved.get("tests").get(0).get("run").asText()).isEqualTo("vmtest-selftest --token ***");
            assertThat(resolved.get("tests").get(0).get("expectOutput").asText()).isEqualTo("selftest: ok");
        }
    }

    /** A plain GET: the CLI's client has no call for a run's profile. */
    private static String get(URI uri) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }
}
