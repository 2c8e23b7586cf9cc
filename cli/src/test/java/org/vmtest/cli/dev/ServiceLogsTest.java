package org.vmtest.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.coordinator.CoordinatorApplication;

/** The local cluster's services log to one file each; the terminal sees them only with --verbose. */
class ServiceLogsTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream terminal = new ByteArrayOutputStream();
    private PrintStream stdout;
    private PrintStream stderr;

    @BeforeEach
    void captureTheTerminal() {
        stdout = System.out;
        stderr = System.err;
        PrintStream captured = new PrintStream(terminal, true, StandardCharsets.UTF_8);
        System.setOut(captured);
        System.setErr(captured);
    }

    @AfterEach
    void restoreTheTerminal() {
        System.setOut(stdout);
        System.setErr(stderr);
    }

    @Test
    void eachServicesLinesGoToItsFileAndNoneToTheTerminal() throws Exception {
        try (ServiceLogs logs = ServiceLogs.open(dir, false)) {
            // Dropwizard's first application in a JVM re-does the root logger; the coordinator is started after
            // the logs are opened, so that must change nothing.
            new CoordinatorApplication();
            logAsEachService();
        }

        assertThat(terminal.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(read("kafka.log")).contains("broker warns").contains("client warns")
                .doesNotContain("coordinator says");
        assertThat(read("coordinator.log")).contains("coordinator says").contains("jetty warns")
                .doesNotContain("broker warns");
        assertThat(read("analyzer.log")).contains("analyzer says");
        assertThat(read("worker.log")).contains("worker says").containsPattern("run=r-1 job=r-1-pass: worker says");
        assertThat(read(ServiceLogs.OTHER_FILE)).contains("cli warns").doesNotContain("worker says");
    }

    @Test
    void verboseAlsoShowsThemOnTheTerminal() throws Exception {
        try (ServiceLogs logs = ServiceLogs.open(dir, true)) {
            new CoordinatorApplication();
            logAsEachService();
        }

        assertThat(terminal.toString(StandardCharsets.UTF_8)).contains("broker warns").contains("coordinator says")
                .contains("analyzer says").contains("worker says").contains("cli warns");
        assertThat(read("worker.log")).contains("worker says");
    }

    @Test
    void closingGivesTheTerminalBackToTheCli() throws Exception {
        try (ServiceLogs logs = ServiceLogs.open(dir, false)) {
            LoggerFactory.getLogger("org.vmtest.cli.Main").warn("while open");
        }
        LoggerFactory.getLogger("org.vmtest.cli.Main").warn("after close");

        assertThat(terminal.toString(StandardCharsets.UTF_8)).contains("after close").doesNotContain("while open");
    }

    private static void logAsEachService() {
        LoggerFactory.getLogger("kafka.server.BrokerServer").warn("broker warns");
        LoggerFactory.getLogger("org.apache.kafka.clients.NetworkClient").warn("client warns");
        LoggerFactory.getLogger("org.vmtest.coordinator.CoordinatorApplication").info("coordinator says");
        LoggerFactory.getLogger("org.eclipse.jetty.server.Server").warn("jetty warns");
        LoggerFactory.getLogger("org.vmtest.analyzer.Analyzer").info("analyzer says");
        Logger worker = LoggerFactory.getLogger("org.vmtest.worker.jobs.JobRunner");
        try (var run = org.slf4j.MDC.putCloseable("runId", "r-1"); var job = org.slf4j.MDC.putCloseable("jobId", "r-1-pass")) {
            worker.info("worker says");
        }
        LoggerFactory.getLogger("org.vmtest.cli.dev.DevCluster").warn("cli warns");
    }

    private String read(String file) throws Exception {
        return Files.readString(dir.resolve(file));
    }
}
