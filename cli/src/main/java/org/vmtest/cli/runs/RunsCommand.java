package org.vmtest.cli.runs;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.vmtest.cli.ExitCodes;
import org.vmtest.cli.client.CoordinatorOptions;
import org.vmtest.cli.client.RunView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "runs", mixinStandardHelpOptions = true, description = "Lists recent runs.")
public final class RunsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CoordinatorOptions coordinator;

    @Option(names = "--state", description = "only runs in this state (QUEUED, RUNNING, DONE, CANCELLED)")
    String state;

    @Option(names = "--label", paramLabel = "K:V", description = "only runs with this label")
    String label;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%-24s %-10s %-8s %-5s %s%n", "run", "state", "verdict", "jobs", "labels");
        for (RunView run : coordinator.client().runs(state, label)) {
            out.printf("%-24s %-10s %-8s %-5d %s%n", run.id(), run.state(), run.verdict() == null ? "-" : run.verdict(),
                    run.jobs().size(), run.labels());
        }
        out.flush();
        return ExitCodes.OK;
    }
}
