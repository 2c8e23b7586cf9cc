package org.vmtest.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.cli.ExitCodes;
import org.vmtest.cli.Main;

/**
 * {@code vmtest demo} as a new user runs it, against the real local cluster (embedded broker, coordinator, analyzer,
 * worker): the terminal shows the demo's progress and verdicts and not one log line, while each service's log is in
 * its file under OUT/logs/. The profile's disk is missing, so the job ends in ERROR at once and no test VM boots;
 * OUT has a quote, colons and a {@code #} in its path, which the cluster's configuration must survive.
 */
class DemoCommandIT {
    /** A log line of the CLI's pattern, of ServiceLogs' or of Dropwizard's default console. */
    private static final String LOG_LINE = "(?m)^(\\d{2}:\\d{2}:\\d{2}\\.\\d{3} |\\d{4}-\\d{2}-\\d{2}T\\S+ )?"
            + "(TRACE|DEBUG|INFO|WARN|ERROR) +(\\[|\\w+[:.])";

    @TempDir
    Path dir;

    @Test
    void theTerminalShowsTheDemoAndTheServicesLogGoToTheirFiles() throws Exception {
        Path profiles = Files.createDirectories(dir.resolve("profiles"));
        Files.writeString(profiles.resolve("missing-image.yaml"), Files.readString(Path.of("..", "deploy", "profiles",
                "pass.yaml")).replace("name: pass", "name: missing-image").replace("disk: base.qcow2", "disk: no-such-disk.qcow2"));
        Path out = dir.resolve("say \"demo\": here #1");
        Path guest = Path.of(System.getProperty("vmtest.guest.dir", "../vmtest-out/guest")).toAbsolutePath().normalize();

        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        StringWriter cliOut = new StringWriter();
        StringWriter cliErr = new StringWriter();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        int exit;
        try {
            PrintStream captured = new PrintStream(terminal, true, StandardCharsets.UTF_8);
            System.setOut(captured);
            System.setErr(captured);
            exit = Main.commandLine().setOut(new PrintWriter(cliOut, true)).setErr(new PrintWriter(cliErr, true))
                    .execute("demo", "--profile", "missing-image", "--profiles", profiles.toString(),
                            "--guest-dir", guest.toString(), "--out", out.toString(), "--timeout", "PT3M");
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        String shown = cliOut + "\n" + cliErr + "\n" + terminal.toString(StandardCharsets.UTF_8);

        assertThat(exit).as(shown).isEqualTo(ExitCodes.INFRASTRUCTURE);
        assertThat(cliOut.toString()).as(shown).contains("their logs go to " + out.resolve("logs") + "/")
                .contains("submitted run").contains("no-such-disk.qcow2").contains("wrote ");
        assertThat(shown).doesNotContainPattern(LOG_LINE);
        assertThat(terminal.toString(StandardCharsets.UTF_8)).as(shown).isEmpty();

        Path logs = out.resolve("logs");
        assertThat(Files.readString(logs.resolve("coordinator.log"))).containsPattern(LOG_LINE)
                .contains("org.vmtest.coordinator");
        assertThat(Files.readString(logs.resolve("worker.log"))).containsPattern(LOG_LINE).contains("no-such-disk.qcow2");
        assertThat(Files.readString(logs.resolve("analyzer.log"))).containsPattern(LOG_LINE);
        assertThat(logs.resolve("kafka.log")).exists();
        assertThat(out.resolve("summary.json")).content().contains("\"ERROR\"");
    }
}
