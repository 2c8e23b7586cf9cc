package org.vmtest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** The services' log pattern (src/main/resources/logback.xml) shows a line's run and job when it has them. */
class LogPatternTest {

    @Test
    void aJobsLinesCarryItsRunAndJobAndOtherLinesNothingExtra() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(MDC.getMDCAdapter());   // the MDC the services' code writes to
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(Path.of("src", "main", "resources", "logback.xml").toFile());

            var log = context.getLogger("org.vmtest.worker.jobs.JobRunner");
            log.info("no job here");
            try (var run = MDC.putCloseable("runId", "r-1"); var job = MDC.putCloseable("jobId", "r-1-pass")) {
                log.info("phase testing");
            }
        } finally {
            context.stop();
            System.setErr(stderr);
        }

        assertThat(captured.toString(StandardCharsets.UTF_8).lines().toList()).satisfiesExactly(
                line -> assertThat(line).endsWith(" INFO  JobRunner: no job here"),
                line -> assertThat(line).endsWith(" INFO  JobRunner run=r-1 job=r-1-pass: phase testing"));
    }
}
