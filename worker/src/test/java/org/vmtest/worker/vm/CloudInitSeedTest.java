package org.vmtest.worker.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloudInitSeedTest {
    private static final String KEY = "ecdsa-sha2-nistp256 AAAAE2VjZHNh job-1";

    @Test
    void userDataIsCloudConfigWithTheJobsKeyAndTheProfilesExtraConfig() throws Exception {
        String text = CloudInitSeed.userData(KEY, "root", """
                packages: [lighttpd]
                ssh_authorized_keys:
                  - ssh-ed25519 AAAAC3Nz operator
                """);
        assertThat(text).startsWith("#cloud-config\n");
        JsonNode config = new YAMLMapper().readTree(text);
        assertThat(config.get("packages").get(0).asText()).isEqualTo("lighttpd");
        assertThat(config.get("ssh_authorized_keys")).hasSize(2);
        assertThat(config.get("ssh_authorized_keys").get(0).asText()).isEqualTo("ssh-ed25519 AAAAC3Nz operator");
        assertThat(config.get("ssh_authorized_keys").get(1).asText()).isEqualTo(KEY);
        assertThat(config.get("disable_root").asBoolean(true)).as("root logs in with the key").isFalse();
    }

    @Test
    void aNonRootUserLeavesCloudInitsRootPolicyAlone() throws Exception {
        JsonNode config = new YAMLMapper().readTree(CloudInitSeed.userData(KEY, "debian", null));
        assertThat(config.has("disable_root")).isFalse();
        assertThat(config.get("ssh_authorized_keys").get(0).asText()).isEqualTo(KEY);
    }

    @Test
    void extraUserDataThatIsNotAMappingIsRefusedNamingTheField() {
        assertThatThrownBy(() -> CloudInitSeed.userData(KEY, "root", "- a\n- b\n"))
                .hasMessageContaining("ssh.cloudInitUserData").hasMessageContaining("mapping");
        assertThatThrownBy(() -> CloudInitSeed.userData(KEY, "root", "a: [b\n"))
                .hasMessageContaining("ssh.cloudInitUserData is not valid YAML");
    }

    @Test
    void theSeedIsAnIso9660VolumeLabelledCidataWithUserDataAndMetaData(@TempDir Path dir) throws Exception {
        Path iso = dir.resolve("job-seed.iso");
        CloudInitSeed.create(iso, KEY, "root", null, "vmtest-guest");
        byte[] head = Files.readAllBytes(iso);
        // the primary volume descriptor at sector 16: "CD001", the volume id at offset 40
        assertThat(new String(head, 16 * 2048 + 1, 5, StandardCharsets.US_ASCII)).isEqualTo("CD001");
        assertThat(new String(head, 16 * 2048 + 40, 32, StandardCharsets.US_ASCII).strip()).isEqualTo("cidata");
        Process p = new ProcessBuilder("xorriso", "-indev", iso.toString(), "-osirrox", "on", "-extract", "/",
                dir.resolve("x").toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).isTrue();
        assertThat(Files.readString(dir.resolve("x/user-data"))).contains(KEY);
        assertThat(Files.readString(dir.resolve("x/meta-data"))).containsPattern("instance-id: vmtest-[0-9a-f-]{36}\n");
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).as("no temporary files left")
                    .containsExactlyInAnyOrder("job-seed.iso", "x");
        }
    }
}
