package org.vmtest.cli.runs;

import java.util.concurrent.Callable;
import org.vmtest.cli.ExitCodes;
import org.vmtest.cli.client.CoordinatorOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancels a run: every job still going is stopped.")
public final class CancelCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CoordinatorOptions coordinator;

    @Parameters(paramLabel = "RUN")
    String runId;

    @Override
    public Integer call() {
        coordinator.client().cancel(runId);
        spec.commandLine().getOut().println("cancelling run " + runId);
        return ExitCodes.OK;
    }
}
