package org.vmtest.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The compose file is valid Compose (checked by docker-compose itself, which host-setup --for-tests installs). */
class ComposeFileIT {

    @Test
    void theComposeFileParsesAndDefinesTheCluster() throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("docker-compose", "-f",
                Path.of("..", "deploy", "compose", "compose.yaml").toString(), "config", "--services")
                .redirectErrorStream(true);
        pb.environment().put("VMTEST_SUBMIT_TOKEN", "submit-token");
        pb.environment().put("VMTEST_READ_TOKEN", "read-token");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out.lines().sorted().toList())
                .containsExactly("analyzer-1", "analyzer-2", "coordinator", "kafka-1", "kafka-2", "kafka-3");
    }
}
