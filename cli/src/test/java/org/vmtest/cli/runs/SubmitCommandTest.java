package org.vmtest.cli.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.protocol.codec.Json;
import org.vmtest.protocol.jobs.ArtifactSpec;
import picocli.CommandLine;

/** {@code vmtest submit}'s options for what a run carries, as they become the request body. */
class SubmitCommandTest {
    private static final String SHA = "0123456789abcdef".repeat(4);

    @TempDir
    Path dir;

    private static Map<String, Object> body(Map<String, String> env, String... args) {
        SubmitCommand command = new SubmitCommand();
        new CommandLine(command).parseArgs(args);
        return command.request(env::get).body();
    }

    private Path profileFile(String name, String body) throws Exception {
        return Files.writeString(dir.resolve(name), body);
    }

    private static final String PROFILE = """
            name: from-ci
            vm:
              kernel: artifact:kernel
              cmdline: "console=ttyS0 token=${TOKEN}"
            tests:
              - run: "echo ${GREETING}"
                expectOutput: "${GREETING}"
            """;

    @Test
    void variablesSecretsArtifactsAndProfileFilesBecomeTheRequestBody() throws Exception {
        Path file = profileFile("ci.yaml", PROFILE);
        Path secretFile = Files.writeString(dir.resolve("token"), "from-a-file\n");

        Map<String, Object> body = body(Map.of("CI_PASSWORD", "from-the-env"),
                "--profile-file", file.toString(), "--profile", "pass",
                "--var", "GREETING=hello=world", "--var", "EMPTY=",
                "--secret-var", "TOKEN=@" + secretFile, "--secret-var", "PASSWORD=env:CI_PASSWORD",
                "--secret-var", "PLAIN=on-argv",
                "--artifact", "kernel=https://ci.example/bzImage#sha256=" + SHA.toUpperCase(),
                "--label", "commit=abc");

        assertThat(body.get("profiles")).isEqualTo(List.of("pass"));
        assertThat(body.get("variables")).isEqualTo(Map.of("GREETING", "hello=world", "EMPTY", ""));
        assertThat(body.get("secretVariables"))
                .isEqualTo(Map.of("TOKEN", "from-a-file", "PASSWORD", "from-the-env", "PLAIN", "on-argv"));
        @SuppressWarnings("unchecked")
        Map<String, ArtifactSpec> artifacts = (Map<String, ArtifactSpec>) body.get("artifacts");
        assertThat(artifacts.get("kernel").url()).isEqualTo("https://ci.example/bzImage");
        assertThat(artifacts.get("kernel").sha256()).isEqualTo(SHA);
        @SuppressWarnings("unchecked")
        List<JsonNode> definitions = (List<JsonNode>) body.get("profileDefinitions");
        assertThat(definitions).singleElement().satisfies(d -> {
            assertThat(d.get("name").asText()).isEqualTo("from-ci");
            assertThat(d.get("vm").get("cmdline").asText()).as("sent as written: the coordinator substitutes")
                    .isEqualTo("console=ttyS0 token=${TOKEN}");
        });
        String json = Json.mapper().writeValueAsString(body);
        assertThat(Json.mapper().readTree(json).get("profileDefinitions").get(0).get("tests").get(0).get("run").asText())
                .isEqualTo("echo ${GREETING}");
    }

    @Test
    void artifactHeadersComeFromTheCommandLineAFileOrTheEnvironment() throws Exception {
        Path tokenFile = Files.writeString(dir.resolve("auth"), "Bearer from-a-file\n");
        Map<String, Object> body = body(Map.of("IMAGES_AUTH", "Bearer from-the-env"), "--profile", "pass",
                "--artifact", "disk=https://ci.example/disk#sha256=" + SHA,
                "--artifact", "kernel=https://ci.example/kernel#sha256=" + SHA,
                "--artifact-header", "disk=Authorization: env:IMAGES_AUTH", "--artifact-header", "disk=X-Trace: 42",
                "--artifact-header", "kernel=Authorization: @" + tokenFile);
        @SuppressWarnings("unchecked")
        Map<String, ArtifactSpec> artifacts = (Map<String, ArtifactSpec>) body.get("artifacts");
        assertThat(artifacts.get("disk").headers())
                .isEqualTo(Map.of("Authorization", "Bearer from-the-env", "X-Trace", "42"));
        assertThat(artifacts.get("kernel").headers()).isEqualTo(Map.of("Authorization", "Bearer from-a-file"));
        assertThatThrownBy(() -> body(Map.of(), "--profile", "pass", "--artifact-header", "disk=Authorization: x"))
                .hasMessageContaining("--artifact-header disk: no --artifact disk");
    }

    @Test
    void aBrokenProfileFileIsReportedWithItsFileAndLine() throws Exception {
        Path file = profileFile("broken.yaml", PROFILE.replace("  cmdline:", "  memoryMiB: lots\n  cmdline:"));
        assertThatThrownBy(() -> body(Map.of(), "--profile-file", file.toString(), "--var", "GREETING=hi",
                "--secret-var", "TOKEN=x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(file + ":4:")
                .hasMessageContaining("memoryMiB");
    }

    @Test
    void aVariableTheProfileFileNeedsButNobodyGaveIsReportedWithItsLine() throws Exception {
        Path file = profileFile("ci.yaml", PROFILE);
        assertThatThrownBy(() -> body(Map.of(), "--profile-file", file.toString(), "--secret-var", "TOKEN=x"))
                .hasMessageStartingWith(file + ":6:")
                .hasMessageContaining("variable GREETING is neither given nor defaulted");
    }

    @Test
    void badArtifactsAndSecretSourcesAreUsageErrorsNamingTheOption() {
        assertThatThrownBy(() -> body(Map.of(), "--profile", "pass", "--artifact", "disk=https://ci.example/disk"))
                .hasMessageContaining("--artifact disk").hasMessageContaining("#sha256=");
        assertThatThrownBy(() -> body(Map.of(), "--profile", "pass", "--artifact", "disk=ftp://h/disk#sha256=" + SHA))
                .hasMessageContaining("--artifact disk").hasMessageContaining("http or https");
        assertThatThrownBy(() -> body(Map.of(), "--profile", "pass", "--artifact", "disk=https://h/disk#sha256=abc"))
                .hasMessageContaining("sha256 must be 64 hex digits");
        assertThatThrownBy(() -> body(Map.of(), "--profile", "pass", "--secret-var", "TOKEN=env:NOT_SET_HERE"))
                .hasMessageContaining("--secret-var TOKEN").hasMessageContaining("NOT_SET_HERE is not set");
        assertThatThrownBy(() -> body(Map.of(), "--profile", "pass", "--secret-var", "TOKEN=@/no/such/file"))
                .hasMessageContaining("--secret-var TOKEN").hasMessageContaining("cannot read");
        assertThatThrownBy(() -> body(Map.of()))
                .hasMessageContaining("--profile").hasMessageContaining("--profile-file");
    }
}
