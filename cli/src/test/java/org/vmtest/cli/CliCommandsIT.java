package org.vmtest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.cli.dev.DevCluster;

/**
 * Every command a CI or a person uses against a running cluster, run as the {@code vmtest} command line is run
 * (its exit code and what it prints) against a real one: the embedded broker, coordinator, analyzer and a worker
 * that boots the real test guest ({@link DevCluster}, what {@code vmtest dev} starts). The tests share the cluster
 * and run in order: later ones read the runs earlier ones made.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliCommandsIT {
    private static final Pattern SUBMITTED = Pattern.compile("submitted run (\\S+) \\((\\d+) jobs\\)");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static DevCluster cluster;
    static String passedRun;
    static String passedJob;
    static String errorRun;

    /** Exit code and what the command printed. */
    record Outcome(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- out\n" + out + "\n--- err\n" + err;
        }
    }

    @BeforeAll
    static void startCluster() throws Exception {
        Path profiles = Files.createDirectories(dir.resolve("profiles"));
        try (Stream<Path> shipped = Files.list(Path.of("..", "deploy", "profiles"))) {
            for (Path p : shipped.toList()) Files.copy(p, profiles.resolve(p.getFileName()));
        }
        // a profile whose disk no worker has: the job ends in ERROR at once, which says nothing of the product
        Files.writeString(profiles.resolve("missing-image.yaml"), Files.readString(profiles.resolve("pass.yaml"))
                .replace("name: pass", "name: missing-image").replace("disk: base.qcow2", "disk: no-such-disk.qcow2"));
        Path guest = Path.of(System.getProperty("vmtest.guest.dir", "../vmtest-out/guest")).toAbsolutePath().normalize();
        cluster = new DevCluster(0, dir.resolve("dev"), guest, profiles, 2);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) cluster.close();
    }

    static Outcome vmtest(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of(args));
        if (!List.of("results").contains(args[0])) {
            all.addAll(List.of("--url", cluster.url().toString(), "--token", cluster.token()));
        }
        int exit = Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(all.toArray(String[]::new));
        return new Outcome(exit, out.toString(), err.toString());
    }

    static String runIdOf(Outcome o) {
        Matcher m = SUBMITTED.matcher(o.out());
        assertThat(m.find()).as("run id in %s", o).isTrue();
        return m.group(1);
    }

    @Test
    @Order(1)
    void submitFollowWritesJUnitAndJsonAndExitsZeroWhenEveryJobPassed() throws IOException {
        Path junit = dir.resolve("reports/pass.xml");
        Path json = dir.resolve("reports/pass.json");

        Outcome o = vmtest("submit", "--profile", "pass", "--follow", "--junit", junit.toString(),
                "--json", json.toString(), "--timeout", "PT5M");

        passedRun = runIdOf(o);
        assertThat(o.exit()).as(o.toString()).isEqualTo(ExitCodes.OK);
        assertThat(o.out()).contains("INSTALLATION").contains("REBOOT")     // the live view showed the phases
                .containsPattern("run " + passedRun + ": PASSED");
        String xml = Files.readString(junit);
        assertThat(xml).contains("<testsuite").contains("failures=\"0\"").doesNotContain("<failure");
        JsonNode run = JSON.readTree(json.toFile());
        assertThat(run.path("id").asText()).isEqualTo(passedRun);
        passedJob = run.path("jobs").get(0).path("id").asText();
        assertThat(run.path("verdict").asText()).isEqualTo("PASSED");
    }

    @Test
    @Order(2)
    void submitWaitExitsTwoWhenAJobEndedInError() {
        Outcome o = vmtest("submit", "--profile", "missing-image", "--wait", "--timeout", "PT2M");

        errorRun = runIdOf(o);
        assertThat(o.exit()).as(o.toString()).isEqualTo(ExitCodes.INFRASTRUCTURE);
        assertThat(o.out()).contains("ERROR").contains("no-such-disk.qcow2");
    }

    @Test
    @Order(3)
    void submitOfAnUnknownProfileIsAUsageError() {
        Outcome o = vmtest("submit", "--profile", "no-such-profile", "--wait");

        assertThat(o.exit()).as(o.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(o.err()).contains("no-such-profile");
    }

    @Test
    @Order(4)
    void resultsExitsWithTheRunsVerdictAsSubmitDoes() {
        Outcome passed = vmtest("results", "--bootstrap", cluster.bootstrapServers(), "--run", passedRun);
        assertThat(passed.exit()).as(passed.toString()).isEqualTo(ExitCodes.OK);
        assertThat(passed.out()).contains(passedRun).contains("PASSED");

        Outcome error = vmtest("results", "--bootstrap", cluster.bootstrapServers(), "--run", errorRun);
        assertThat(error.exit()).as(error.toString()).isEqualTo(ExitCodes.INFRASTRUCTURE);
        assertThat(error.out()).contains(errorRun).contains("ERROR");

        Outcome none = vmtest("results", "--bootstrap", cluster.bootstrapServers(), "--run", "no-such-run");
        assertThat(none.exit()).as(none.toString()).isEqualTo(ExitCodes.INFRASTRUCTURE);
        assertThat(none.err()).contains("no RunVerdict for run no-such-run");
    }

    @Test
    @Order(5)
    void logsPrintsTheJobsConsole() {
        Outcome all = vmtest("logs", passedJob);
        assertThat(all.exit()).as(all.toString()).isEqualTo(ExitCodes.OK);
        assertThat(all.out()).contains("Linux version");

        Outcome tail = vmtest("logs", passedJob, "--tail", "3");
        assertThat(tail.exit()).as(tail.toString()).isEqualTo(ExitCodes.OK);
        assertThat(tail.out().lines().count()).isEqualTo(3);
        assertThat(all.out()).endsWith(tail.out());
    }

    @Test
    @Order(6)
    void cancelStopsARunningRunAndRunsListsEveryRun() {
        Outcome submitted = vmtest("submit", "--profile", "hang");
        assertThat(submitted.exit()).as(submitted.toString()).isEqualTo(ExitCodes.OK);
        String hangRun = runIdOf(submitted);

        Outcome cancel = vmtest("cancel", hangRun);
        assertThat(cancel.exit()).as(cancel.toString()).isEqualTo(ExitCodes.OK);
        assertThat(cancel.out()).contains("cancelling run " + hangRun);

        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        String line = "";
        while (System.nanoTime() < deadline && !line.contains("CANCELLED")) {
            Outcome runs = vmtest("runs");
            assertThat(runs.exit()).as(runs.toString()).isEqualTo(ExitCodes.OK);
            line = runs.out().lines().filter(l -> l.startsWith(hangRun + " ")).findFirst().orElse("");
        }
        assertThat(line).as("the cancelled run in `vmtest runs`").contains("CANCELLED");

        Outcome runs = vmtest("runs");
        assertThat(runs.out()).contains(passedRun).contains(errorRun);
        assertThat(runs.out().lines().filter(l -> l.startsWith(passedRun + " ")).findFirst().orElseThrow())
                .contains("PASSED");
    }

    @Test
    @Order(7)
    void workersShowsTheWorkerAndItsSlots() {
        Outcome o = vmtest("workers");

        assertThat(o.exit()).as(o.toString()).isEqualTo(ExitCodes.OK);
        assertThat(o.out()).as(o.toString()).containsPattern("(?m)^dev\\s+\\S+\\s+(tcg|kvm)\\s+2\\s");
    }

    @Test
    @Order(8)
    void aWrongTokenIsAnInfrastructureErrorThatSaysSo() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute("submit", "--profile", "pass", "--url", cluster.url().toString(), "--token", "wrong",
                        "--retry-for", "PT0S");

        assertThat(exit).as(err.toString()).isEqualTo(ExitCodes.INFRASTRUCTURE);
        assertThat(err.toString()).contains("401");
    }
}
