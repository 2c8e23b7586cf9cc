package org.vmtest.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.protocol.codec.ConfigYaml;
import org.vmtest.worker.WorkerConfig;

/**
 * The NixOS files in deploy/nixos, checked with Nix itself (Debian's nix-bin, which host-setup --for-tests
 * installs): each parses, and the worker module, evaluated against a stand-in for the few nixpkgs functions it
 * uses (src/test/resources/nixos/eval-worker-module.nix), generates a worker.yml that the worker accepts, starts the
 * jar where vmtest-dist.nix puts it, and keeps secrets in an environment file outside the Nix store.
 */
class NixModuleIT {
    private static final Path NIXOS = Path.of("..", "deploy", "nixos");
    private static final Path MODULE = NIXOS.resolve("vmtest-worker.nix");
    private static final Path EVAL = Path.of("src", "test", "resources", "nixos", "eval-worker-module.nix");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyNixFileParses() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(NIXOS)) {
            files = s.filter(f -> f.toString().endsWith(".nix")).sorted().toList();
        }
        assertThat(files).extracting(f -> f.getFileName().toString())
                .containsExactly("vmtest-dist.nix", "vmtest-worker.nix");
        for (Path f : files) {
            Result r = nix("nix-instantiate", "--parse", f.toString());
            assertThat(r.exit).as("nix-instantiate --parse %s: %s", f, r.output).isZero();
        }
    }

    @Test
    void theModuleGeneratesAConfigTheWorkerAcceptsAndStartsTheDistributionsJar(@TempDir Path dir) throws Exception {
        JsonNode eval = evaluate("/run/secrets/vmtest-worker.env");
        String execStart = eval.path("serviceConfig").path("ExecStart").asText();

        String[] commandAndSettings = execStart.split("#", 2);
        Path workerYml = dir.resolve("worker.yml");
        Files.writeString(workerYml, commandAndSettings[1]);   // JSON is YAML
        WorkerConfig config = ConfigYaml.read(workerYml, WorkerConfig.class);
        // the module's default leaves the id to the worker, which makes one from any host name (worker-host-1
        // included: a '-' in a worker id is refused, so taking networking.hostName as it is would not start)
        assertThat(config.workerId()).matches("[A-Za-z0-9][A-Za-z0-9_.]{0,39}");
        assertThat(config.kafka().bootstrapServers()).isEqualTo("kafka-1:9092,kafka-2:9092");

        String jar = "/share/vmtest/vmtest-cli.jar";
        assertThat(commandAndSettings[0]).contains("/nix/store/stand-in-vmtest" + jar + " worker ");
        assertThat(Files.readString(NIXOS.resolve("vmtest-dist.nix"))).contains("$out" + jar.replace("/vmtest-cli.jar", "/"));
        assertThat(eval.path("serviceConfig").path("User").asText()).isEqualTo("vmtest");
        assertThat(eval.path("user").path("extraGroups").toString()).contains("libvirtd");
    }

    @Test
    void secretsComeFromAnEnvironmentFileOutsideTheStore() throws Exception {
        JsonNode with = evaluate("/run/secrets/vmtest-worker.env");
        assertThat(with.path("serviceConfig").path("EnvironmentFile").asText()).isEqualTo("/run/secrets/vmtest-worker.env");
        assertThat(with.path("assertions").get(0).path("assertion").asBoolean()).isTrue();

        JsonNode without = evaluate(null);
        assertThat(without.path("serviceConfig").has("EnvironmentFile")).isFalse();

        JsonNode inStore = evaluate("/nix/store/0123456789abcdef-vmtest-worker.env");
        assertThat(inStore.path("assertions").get(0).path("assertion").asBoolean()).isFalse();
        assertThat(inStore.path("assertions").get(0).path("message").asText()).contains("outside the Nix store");
        assertThat(evaluate("secrets.env").path("assertions").get(0).path("assertion").asBoolean()).isFalse();
    }

    private static JsonNode evaluate(String environmentFile) throws Exception {
        List<String> command = new ArrayList<>(List.of("nix-instantiate", "--eval", "--strict", "--json",
                EVAL.toString(), "--arg", "module", MODULE.toAbsolutePath().normalize().toString()));
        if (environmentFile != null) command.addAll(List.of("--argstr", "environmentFile", environmentFile));
        Result r = nix(command.toArray(String[]::new));
        assertThat(r.exit).as("%s: %s", command, r.output).isZero();
        return JSON.readTree(r.output);
    }

    /** {@code output} is standard output, or standard error when the command failed. */
    private record Result(int exit, String output) {
    }

    private static Result nix(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", List.of(command)).isTrue();
        return new Result(p.exitValue(), p.exitValue() == 0 ? out : err);
    }
}
