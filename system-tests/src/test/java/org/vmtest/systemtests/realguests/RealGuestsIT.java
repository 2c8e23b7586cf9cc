package org.vmtest.systemtests.realguests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vmtest.systemtests.SystemTestSetup;
import org.vmtest.testing.cluster.ClusterApi;
import org.vmtest.testing.cluster.ProcessCluster;

/**
 * Real Debian 12 guests (deploy/images/debian/build.sh) through the whole cluster: a cloud image logged into with a
 * key that cloud-init installs, a service installed from the image's packages, a reboot through GRUB, systemd's own
 * verdict; and the broken variant, whose failed service must be the finding. Slow under TCG (minutes each): run with
 * {@code -Preal-guests}. Each job's console is kept in target/real-guests/ for the analyzer's replay fixtures.
 */
class RealGuestsIT {
    private static final Duration JOB_DONE = Duration.ofMinutes(20);

    /** The image directory: the test guest's, with the Debian images in debian/. */
    private static Path imageDir() {
        Path dir = SystemTestSetup.guestDir();
        Path disk = dir.resolve("debian/debian-12.qcow2");
        if (!Files.isRegularFile(disk)) {
            throw new IllegalStateException("no Debian image at " + disk.toAbsolutePath()
                    + ": build it with deploy/images/debian/build.sh " + dir.resolve("debian") + " (./vmtest test does)");
        }
        return dir;
    }

    @Test
    void aDebianCloudImageInstallsAServiceRebootsAndPasses() throws IOException {
        JsonNode job = runOne("debian-cloud");
        assertThat(job.get("verdict").asText()).as("%s", job).isEqualTo("PASSED");
        assertThat(job.get("tests")).hasSize(4);
    }

    @Test
    void aDebianCloudImageUnderUefiPasses() throws IOException {
        JsonNode job = runOne("debian-uefi");
        assertThat(job.get("verdict").asText()).as("%s", job).isEqualTo("PASSED");
    }

    @Test
    void aServiceThatFailsToStartEndsFailedWithTheSystemdFailureAsItsFinding() throws IOException {
        JsonNode job = runOne("debian-broken-service");
        assertThat(job.get("verdict").asText()).as("%s", job).isEqualTo("FAILED");
        assertThat(job.get("failure").toString()).as("the failure analysis").contains("lighttpd")
                .containsIgnoringCase("failed to start");
    }

    private static JsonNode runOne(String profile) throws IOException {
        long t0 = System.nanoTime();
        try (ProcessCluster cluster = ProcessCluster.builder(imageDir(), SystemTestSetup.profilesDir())
                .workers(1).slots(1).start()) {
            ClusterApi api = cluster.api();
            String runId = api.submit(List.of(profile)).get("id").asText();
            JsonNode run = await("run " + runId + " (" + profile + ") done").atMost(JOB_DONE)
                    .pollInterval(Duration.ofSeconds(2)).until(() -> api.run(runId),
                            r -> "DONE".equals(r.get("state").asText()) && !r.get("verdict").isNull());
            JsonNode job = run.get("jobs").get(0);
            keepConsole(api, profile, job.get("id").asText());
            System.out.printf("real guest %s: %s in %d s (wall, cluster start included)%n", profile,
                    job.get("verdict").asText(), Duration.ofNanos(System.nanoTime() - t0).toSeconds());
            return job;
        }
    }

    private static void keepConsole(ClusterApi api, String profile, String jobId) throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "real-guests"));
        for (String log : List.of("console", "install", "test")) {
            ClusterApi.Reply r = api.get("/v1/jobs/" + jobId + "/logs/" + log);
            if (r.status() == 200) Files.writeString(dir.resolve(profile + "." + log + ".log"), r.body());
        }
    }
}
