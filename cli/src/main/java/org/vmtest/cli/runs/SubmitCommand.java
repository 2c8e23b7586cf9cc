package org.vmtest.cli.runs;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import org.vmtest.cli.ExitCodes;
import org.vmtest.cli.client.CoordinatorClient;
import org.vmtest.cli.client.CoordinatorException;
import org.vmtest.cli.client.CoordinatorOptions;
import org.vmtest.cli.client.RunView;
import org.vmtest.cli.follow.PassRates;
import org.vmtest.cli.follow.RunFollower;
import org.vmtest.cli.follow.VerdictTable;
import org.vmtest.cli.report.GitHubSummary;
import org.vmtest.cli.report.JUnitXml;
import org.vmtest.protocol.codec.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "submit",
        mixinStandardHelpOptions = true,
        description = {"Submits a run of one job per profile to the coordinator: catalogue profiles (--profile), "
                + "profiles of your own (--profile-file), with the run's variables and artifacts.",
                "Exit codes: 0 all passed, 1 a job failed or was aborted, 2 infrastructure error, 64 usage error."})
public final class SubmitCommand implements Callable<Integer> {
    /** What the coordinator takes in one run. */
    static final int MAX_JOBS = 100;

    @Spec
    CommandSpec spec;

    @Mixin
    CoordinatorOptions coordinator;

    @Option(names = "--profile", paramLabel = "P", description = "a profile of the catalogue (repeatable)")
    List<String> profiles = new ArrayList<>();

    @Option(names = "--profile-file", paramLabel = "FILE", description = "a profile of your own, a YAML file as in the "
            + "catalogue; checked here, then sent with the run (repeatable)")
    List<Path> profileFiles = new ArrayList<>();

    @Option(names = "--var", paramLabel = "NAME=VALUE", description = "a variable for ${NAME} in the profiles (repeatable)")
    Map<String, String> variables = new LinkedHashMap<>();

    @Option(names = "--secret-var", paramLabel = "NAME=VALUE", description = "a secret variable: never shown, never "
            + "logged. VALUE may be @FILE (read from a file) or env:VAR (from the environment), which keeps it off the "
            + "command line (repeatable)")
    Map<String, String> secretVariables = new LinkedHashMap<>();

    @Option(names = "--artifact", paramLabel = "NAME=URL#sha256=HEX", description = "a file the workers fetch and "
            + "check, named in a profile as artifact:NAME (repeatable)")
    Map<String, String> artifacts = new LinkedHashMap<>();

    @Option(names = "--artifact-header", paramLabel = "NAME=HEADER: VALUE", description = "a request header for "
            + "fetching artifact NAME, e.g. 'disk=Authorization: env:IMAGES_AUTH'; VALUE may be @FILE or env:VAR as "
            + "for --secret-var; never shown or logged (repeatable)")
    List<String> artifactHeaders = new ArrayList<>();

    @Option(names = "--label", paramLabel = "K=V", description = "a label such as commit=abc123 (repeatable)")
    Map<String, String> labels = new LinkedHashMap<>();

    @Option(names = "--wait", description = "wait for the verdict, printing only the final table")
    boolean waitForVerdict;

    @Option(names = "--follow", description = "show each job live until the verdict")
    boolean follow;

    @Option(names = "--junit", paramLabel = "FILE", description = "write the final state as JUnit XML (implies --wait)")
    Path junit;

    @Option(names = "--json", paramLabel = "FILE", description = "write the run's final state as JSON (implies --wait)")
    Path json;

    @Option(names = "--known-ok", description = "exit 0 when every failure of the run is a known issue (implies --wait)")
    boolean knownOk;

    @Option(names = "--repeat", paramLabel = "K", defaultValue = "1",
            description = "run each profile K times in the run and print each profile's pass rate (implies --wait)")
    int repeat;

    @Option(names = "--timeout", defaultValue = "PT2H", description = "give up waiting after this long (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (repeat > 1 && !profileFiles.isEmpty()) {
            spec.commandLine().getErr().println("vmtest: --repeat takes catalogue profiles (--profile) only: a run "
                    + "holds each --profile-file definition once");
            return ExitCodes.USAGE;
        }
        if (repeat < 1 || repeat * Math.max(1, profiles.size()) > MAX_JOBS) {
            spec.commandLine().getErr().println("vmtest: --repeat must be from 1 to " + MAX_JOBS / Math.max(1, profiles.size())
                    + " for " + profiles.size() + " profile(s): a run has at most " + MAX_JOBS + " jobs");
            return ExitCodes.USAGE;
        }
        Map<String, Object> body;
        try {
            body = request(System::getenv).body();
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("vmtest: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        CoordinatorClient client = coordinator.client();
        RunView run;
        try {
            run = client.submit(body);
        } catch (CoordinatorException e) {
            spec.commandLine().getErr().println("vmtest: " + e.getMessage());
            return e.clientError() && e.status() != 401 && e.status() != 403 ? ExitCodes.USAGE : ExitCodes.INFRASTRUCTURE;
        }
        out.println("submitted run " + run.id() + " (" + run.jobs().size() + " jobs)");
        out.flush();
        if (!(follow || waitForVerdict || junit != null || json != null || knownOk || repeat > 1)) return ExitCodes.OK;
        return finish(client, run.id(), out);
    }

    /** The run these options describe. */
    RunRequest request(UnaryOperator<String> environment) {
        return new RunRequest(repeated(profiles, repeat), labels).variables(variables).secretVariables(secretVariables, environment)
                .artifacts(artifacts).artifactHeaders(artifactHeaders, environment).profileFiles(profileFiles);
    }

    int finish(CoordinatorClient client, String runId, PrintWriter out) throws IOException {
        boolean terminal = follow && System.console() != null;
        RunFollower follower = new RunFollower(client, follow ? out : new PrintWriter(PrintWriter.nullWriter()), terminal);
        RunView run = follower.follow(runId, timeout);
        VerdictTable.print(run, out, "true".equals(System.getenv("GITHUB_ACTIONS")));
        writeReports(run, junit, json);
        if (repeat > 1) PassRates.print(run, out);
        GitHubSummary.appendIfAsked(run, coordinator.url(), System.getenv());
        return knownOk ? VerdictTable.exitCodeKnownOk(run, out) : VerdictTable.exitCode(run);
    }

    /** Each profile {@code times} times, in order: a, a, b, b. */
    static List<String> repeated(List<String> profiles, int times) {
        return profiles.stream().flatMap(p -> java.util.Collections.nCopies(times, p).stream()).toList();
    }

    /** Writes the run's final state where asked; shared with {@code demo}. */
    public static void writeReports(RunView run, Path junit, Path json) throws IOException {
        if (junit != null) JUnitXml.write(run, junit);
        if (json != null) {
            Path parent = json.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Json.mapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), run);
        }
    }
}
