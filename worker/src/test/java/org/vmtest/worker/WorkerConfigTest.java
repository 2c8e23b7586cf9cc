package org.vmtest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.protocol.Accelerator;

class WorkerConfigTest {
    @TempDir
    Path dir;

    @Test
    void aFullConfigFileIsRead() throws IOException {
        Path file = dir.resolve("worker.yaml");
        Files.writeString(file, """
                kafka:
                  bootstrapServers: broker1:9092
                  topicPrefix: ci
                workerId: kvm01
                slots: 4
                accelerator: tcg
                imageDir: /srv/images
                workDir: /var/lib/vmtest/worker
                keyDir: /srv/keys
                heartbeatInterval: 2s
                renewInterval: 10s
                ssh:
                  connectRetryInterval: 250ms
                metricsAddress: 0.0.0.0:9466
                """);
        WorkerConfig c = WorkerConfig.read(file);
        assertThat(c.kafka().bootstrapServers()).isEqualTo("broker1:9092");
        assertThat(c.kafka().topics().jobs()).isEqualTo("ci.jobs");
        assertThat(c.workerId()).isEqualTo("kvm01");
        assertThat(c.slots()).isEqualTo(4);
        assertThat(c.accelerator()).isEqualTo(Accelerator.TCG);
        assertThat(c.imageDir()).isEqualTo(Path.of("/srv/images"));
        assertThat(c.keyDir()).isEqualTo(Path.of("/srv/keys"));
        assertThat(c.ownWorkDir()).isEqualTo(Path.of("/var/lib/vmtest/worker/kvm01"));
        assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.renewInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.ssh().connectRetryInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.ssh().connectAttemptTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.metricsAddress()).isEqualTo("0.0.0.0:9466");
    }

    @Test
    void anEmptyConfigGivesTheDefaults() throws IOException {
        Path file = dir.resolve("empty.yaml");
        Files.writeString(file, "{}\n");
        WorkerConfig c = WorkerConfig.read(file);
        assertThat(c.slots()).isEqualTo(1);
        assertThat(c.libvirtUri()).isEqualTo("qemu:///system");
        assertThat(c.accelerator()).isEqualTo(Accelerator.AUTO);
        assertThat(c.workerId()).matches("[A-Za-z0-9][A-Za-z0-9_.]*");
        assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.renewInterval()).isNull();
        assertThat(c.metricsAddress()).as("no metrics endpoint").isEmpty();
    }

    @Test
    void aMetricsAddressWithoutAPortIsRefusedWithTheFileLineAndTheKey() throws IOException {
        Path file = dir.resolve("metrics.yaml");
        Files.writeString(file, "slots: 2\nmetricsAddress: localhost\n");
        assertThatThrownBy(() -> WorkerConfig.read(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("metrics.yaml:")
                .hasMessageContaining("metricsAddress must be host:port")
                .hasMessageContaining("got 'localhost'");
    }

    @Test
    void malformedMetricsAddressesAreRefusedAndWellFormedOnesKept() {
        for (String bad : new String[] {"9466", "host:", "host:http", "host:65536", "my host:9466", "host:-1"}) {
            assertThatThrownBy(() -> WorkerConfig.defaults(null).withMetricsAddress(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("metricsAddress")
                    .hasMessageContaining("'" + bad + "'");
        }
        for (String good : new String[] {"127.0.0.1:0", ":9466", "worker-7.example.org:65535", "[::1]:9466"}) {
            assertThat(WorkerConfig.defaults(null).withMetricsAddress(good).metricsAddress()).isEqualTo(good);
        }
        assertThat(WorkerConfig.defaults(null).withMetricsAddress("  ").metricsAddress()).isEmpty();
    }

    @Test
    void anUnknownKeyIsReportedByName() throws IOException {
        Path file = dir.resolve("typo.yaml");
        Files.writeString(file, "slots: 2\nslot: 3\n");
        assertThatThrownBy(() -> WorkerConfig.read(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("unknown key 'slot'").hasMessageContaining("slots");
    }

    @Test
    void aWorkerIdThatCannotBePartOfADomainNameIsRefused() {
        assertThatThrownBy(() -> WorkerConfig.defaults(null).withWorkerId("w-1/x"))
                .hasMessageContaining("workerId");
    }

    @Test
    void zeroOrNegativeSlotsAreRefused() {
        assertThatThrownBy(() -> WorkerConfig.defaults(null).withSlots(-1)).hasMessageContaining("slots");
    }

    @Test
    void theArtifactCacheOptionsAreReadAndDefaultUnderTheWorkersOwnDirectory() throws IOException {
        Path file = dir.resolve("artifacts.yaml");
        Files.writeString(file, """
                workerId: kvm01
                workDir: /var/lib/vmtest/worker
                cacheMaxBytes: 10737418240
                maxArtifactBytes: 4294967296
                artifactHosts: [ci.example.com, "*.s3.example.org"]
                """);
        WorkerConfig c = WorkerConfig.read(file);
        assertThat(c.artifactCacheDir()).isEqualTo(Path.of("/var/lib/vmtest/worker/kvm01/artifacts"));
        assertThat(c.artifactCache().maxBytes()).isEqualTo(10L << 30);
        assertThat(c.artifactCache().maxArtifactBytes()).isEqualTo(4L << 30);
        assertThat(c.artifactHosts()).containsExactly("ci.example.com", "*.s3.example.org");

        WorkerConfig defaults = WorkerConfig.defaults(null).withWorkerId("w2");
        assertThat(defaults.artifactCacheDir()).isEqualTo(defaults.ownWorkDir().resolve("artifacts"));
        assertThat(defaults.cacheMaxBytes()).isEqualTo(50L << 30);
        assertThat(defaults.maxArtifactBytes()).isEqualTo(16L << 30);
        assertThat(defaults.artifactHosts()).isEmpty();
    }

    @Test
    void badArtifactOptionsAreRefusedNamingTheOption() throws IOException {
        Path tooBig = Files.writeString(dir.resolve("cap.yaml"), "cacheMaxBytes: 1000\nmaxArtifactBytes: 2000\n");
        assertThatThrownBy(() -> WorkerConfig.read(tooBig)).hasMessageContaining("maxArtifactBytes must be positive"
                + " and at most cacheMaxBytes (1000), got 2000");
        Path badHost = Files.writeString(dir.resolve("hosts.yaml"), "artifactHosts: [\"https://ci.example.com/\"]\n");
        assertThatThrownBy(() -> WorkerConfig.read(badHost))
                .hasMessageContaining("artifactHosts: 'https://ci.example.com/' is not a host name or *.domain");
    }
}
