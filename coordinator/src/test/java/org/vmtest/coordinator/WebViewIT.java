package org.vmtest.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.vmtest.coordinator.TestCoordinators.READ_TOKEN;
import static org.vmtest.coordinator.TestCoordinators.SUBMIT_TOKEN;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.codec.Json;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.stream.Line;
import org.vmtest.testing.KafkaClusterExtension;

/** The web view in a real headless Chromium, following a live run. */
class WebViewIT {
    private static final Path SCREENSHOTS = Path.of("target/screenshots");

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    @TempDir
    Path dir;

    @Test
    void theRunPageStreamsTheConsoleLiveWithFindingsHighlightedAndShowsTheVerdicts() throws Exception {
        KafkaSettings kafka = KAFKA.settings();
        Path requestLog = dir.resolve("requests.log");
        String runId;
        try (Coordinator coordinator = Coordinator.start(TestCoordinators.configFile(dir, kafka, TestCoordinators.PROFILES, "",
                "[{type: file, currentLogFilename: \"" + requestLog + "\", archive: false}]"));
             KafkaProducer<String, byte[]> producer = TestCoordinators.producer(kafka)) {
            HttpResponse<String> created = TestCoordinators.post(coordinator.baseUri().resolve("/api/v1/runs"), SUBMIT_TOKEN,
                    "{\"profiles\":[\"pass\",\"panic\"],\"labels\":{\"commit\":\"4f2a9c1\",\"ci\":\"https://ci.example/build/42\"}}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonNode run = Json.mapper().readTree(created.body());
            runId = run.get("id").asText();
            String passJob = run.get("jobs").get(0).get("id").asText();
            String panicJob = run.get("jobs").get(1).get("id").asText();

            ChromeDriver browser = startBrowser();
            try {
                browser.get(coordinator.baseUri().resolve("/run.html?id=" + runId + "#token=" + READ_TOKEN).toString());
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
                wait.until(d -> !d.findElements(By.cssSelector("#job-" + panicJob)).isEmpty());
                assertThat(browser.getCurrentUrl()).as("the page drops the token from its address").doesNotContain(READ_TOKEN);

                // The run goes on while the page is open: the page must follow it live.
                TestCoordinators.playJob(producer, kafka, runId, passJob, "pass", Verdict.PASSED);
                bootNoise(producer, kafka, panicJob);
                TestCoordinators.playJob(producer, kafka, runId, panicJob, "panic", Verdict.ABORTED);

                wait.until(d -> d.findElement(By.cssSelector("#job-" + panicJob + " .console")).getText().contains("Kernel panic"));
                wait.until(d -> !d.findElements(By.cssSelector("#job-" + panicJob + " .console .hit")).isEmpty());
                wait.until(d -> d.findElement(By.id("run-verdict")).getText().contains("ABORTED"));
                wait.until(d -> d.findElement(By.cssSelector("#job-" + panicJob + " .failure")).getText().contains("Kernel panic"));

                assertThat(browser.findElement(By.cssSelector("#job-" + panicJob + " .console .hit")).getText())
                        .contains("Kernel panic - not syncing");
                assertThat(browser.findElement(By.cssSelector("#job-" + panicJob + " .thoughts")).getText())
                        .contains("abort", "a kernel panic ends the installation");
                assertThat(browser.findElement(By.cssSelector("#job-" + passJob + " .job-head")).getText()).contains("PASSED");
                assertThat(browser.findElements(By.cssSelector("#job-" + passJob + " .timeline div"))).hasSize(3);
                assertThat(browser.findElement(By.cssSelector("#job-" + passJob + " .timeline div")).getAttribute("textContent"))
                        .as("the artifact fetch apart from the boot").isEqualTo("provisioning 5.0s (artifacts 1.2s)");
                Files.createDirectories(SCREENSHOTS);
                Files.write(SCREENSHOTS.resolve("run.png"), browser.getScreenshotAs(OutputType.BYTES));

                browser.get(coordinator.baseUri().toString());
                wait.until(d -> d.findElement(By.id("runs")).getText().contains(runId));
                assertThat(browser.findElement(By.id("runs")).getText()).contains("ABORTED", "commit=4f2a9c1");
                Files.write(SCREENSHOTS.resolve("runs.png"), browser.getScreenshotAs(OutputType.BYTES));

            } finally {
                browser.quit();
            }
        }
        // The page opened its event stream with a ticket (logged when the stream ends, at the latest when the
        // coordinator stops); no token went into any URL it requested.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(Files.readString(requestLog))
                .contains("/api/v1/runs/" + runId + "/events?ticket=***"));
        assertThat(Files.readString(requestLog)).doesNotContain(READ_TOKEN);
    }

    private static void bootNoise(KafkaProducer<String, byte[]> producer, KafkaSettings kafka, String jobId) {
        String[] lines = {
            "[    0.000000] Linux version 6.1.0-28-amd64 (debian-kernel@lists.debian.org)",
            "[    0.000000] Command line: console=ttyS0 panic=0 vmtest.scenario=panic",
            "[    0.412000] virtio_blk virtio1: [vda] 2097152 512-byte logical blocks",
            "[    1.020000] Run /init as init process",
            "vmtest-guest: scenario panic, starting dropbear",
        };
        Instant t = Instant.parse("2030-01-01T10:00:01Z");
        for (int i = 0; i < lines.length; i++) {
            TestCoordinators.send(producer, kafka.topics().stream(), jobId, TestCoordinators.STREAM.encode(
                    new Line(jobId, 1, 100 + i, LineSource.CONSOLE, Phase.PROVISIONING, t.plusMillis(i * 100L), lines[i], false)));
        }
        producer.flush();
    }

    private static ChromeDriver startBrowser() throws Exception {
        Path profile = Files.createTempDirectory("vmtest-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run",
                "--window-size=1400,1000", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }
}
