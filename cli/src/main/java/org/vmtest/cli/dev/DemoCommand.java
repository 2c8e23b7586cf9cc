package org.vmtest.cli.dev;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vmtest.cli.client.CoordinatorClient;
import org.vmtest.cli.client.RunView;
import org.vmtest.cli.follow.RunFollower;
import org.vmtest.cli.follow.VerdictTable;
import org.vmtest.cli.runs.SubmitCommand;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.codec.Json;
import org.vmtest.cli.vm.GuestDirOption;
import org.vmtest.cli.vm.ProfilesDirOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo",
        mixinStandardHelpOptions = true,
        description = {"Starts the local cluster of `vmtest dev`, runs the demo profiles in parallel in real VMs and "
                + "follows them live: one passes, one panics during its installation and is aborted at once, one "
                + "fails a test. Ends with the verdicts and the analyzer's reasoning about the abort, and writes "
                + "vmtest-out/demo/summary.json and junit.xml. The services' logs go to vmtest-out/demo/logs/, one "
                + "file per service.",
                "Exit code as `submit`: 1 when a job failed or was aborted (the demo's expected outcome)."})
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--profile", paramLabel = "P", description = "profiles to run (default: pass, panic, test-fail)")
    List<String> profiles = List.of("pass", "panic", "test-fail");

    @Option(names = "--port", defaultValue = "0", description = "the coordinator's HTTP port (default: any free port)")
    int port;

    @Option(names = "--out", defaultValue = "vmtest-out/demo", description = "where the reports go (default: ${DEFAULT-VALUE})")
    Path out;

    @Mixin
    GuestDirOption guestDir;

    @Mixin
    ProfilesDirOption catalogue;

    @Mixin
    ServiceLogsOption logs;

    @Option(names = "--timeout", defaultValue = "PT15M", description = "give up after this long (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        Path logDir = out.resolve("logs");
        w.printf("vmtest demo: starting a local cluster (Kafka broker, coordinator, analyzer, worker); their logs go "
                + "to %s/%s%n", logDir, logs.verbose ? "" : " (--verbose shows them here)");
        w.flush();
        try (ServiceLogs serviceLogs = logs.open(logDir);
             DevCluster cluster = new DevCluster(port, out.resolve("cluster"), guestDir.dir(), catalogue.dir(),
                     profiles.size())) {
            w.printf("cluster up: %s (token in %s)%n", cluster.url(), out.resolve("cluster/token"));
            CoordinatorClient client = new CoordinatorClient(cluster.url(), cluster.token());
            RunView submitted = client.submit(profiles, Map.of("source", "vmtest demo"));
            w.printf("submitted run %s: %s%n%n", submitted.id(), String.join(", ", profiles));
            w.flush();

            RunFollower follower = new RunFollower(client, w, System.console() != null);
            RunView run = follower.follow(submitted.id(), timeout);
            VerdictTable.print(run, w, "true".equals(System.getenv("GITHUB_ACTIONS")));
            explainAborts(run, follower.thoughts(), client, w);

            Files.createDirectories(out);
            SubmitCommand.writeReports(run, out.resolve("junit.xml"), null);
            Json.mapper().writerWithDefaultPrettyPrinter().writeValue(out.resolve("summary.json").toFile(), summary(run));
            w.printf("%nwrote %s and %s%n", out.resolve("summary.json"), out.resolve("junit.xml"));
            w.flush();
            return VerdictTable.exitCode(run);
        }
    }

    /** For each aborted job: what the analyzer saw, what it decided and why, and when the VM was gone. */
    private static void explainAborts(RunView run, List<JsonNode> thoughts, CoordinatorClient client, PrintWriter w) {
        for (RunView.JobView job : run.jobs()) {
            if (job.verdict() != Verdict.ABORTED) continue;
            w.printf("%nwhy %s (%s) was aborted:%n", job.profile(), job.id());
            thoughts.stream().filter(t -> job.id().equals(t.path("jobId").asText())).forEach(t ->
                    w.printf("  %s  saw: %s%n  %s  did: %s, because %s%n", t.path("time").asText(),
                            t.path("observed").asText(), " ".repeat(t.path("time").asText().length()),
                            t.path("decision").asText(), t.path("reason").asText()));
            try {
                // The worker's own account: its JobFinished says when the domain was gone after the abort.
                client.logs(job.id(), "stream", 10).lines().map(DemoCommand::json)
                        .filter(n -> "JobFinished".equals(n.path("type").asText()))
                        .forEach(n -> w.printf("  %s  worker: %s%n", n.path("time").asText(), n.path("reason").asText()));
                String findings = client.logs(job.id(), "thoughts", null).lines()
                        .filter(l -> l.contains("CRITICAL")).limit(5).reduce("", (a, b) -> a + "    " + b + "\n");
                if (!findings.isEmpty()) {
                    w.println("  critical findings (GET /api/v1/jobs/" + job.id() + "/logs/thoughts):");
                    w.print(findings);
                }
            } catch (RuntimeException e) {
                w.println("  (job logs not available: " + e.getMessage() + ")");
            }
        }
        w.flush();
    }

    private static JsonNode json(String line) {
        try {
            return Json.mapper().readTree(line);
        } catch (java.io.IOException e) {
            return Json.mapper().missingNode();
        }
    }

    private static Map<String, Object> summary(RunView run) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("run", run.id());
        s.put("verdict", run.verdict());
        s.put("jobs", run.jobs().stream().map(j -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("job", j.id());
            m.put("profile", j.profile());
            m.put("verdict", j.verdict());
            m.put("reason", j.reason());
            if (j.failure() != null) m.put("failure", j.failure().title());
            return m;
        }).toList());
        return s;
    }
}
