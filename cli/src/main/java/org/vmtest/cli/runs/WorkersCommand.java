package org.vmtest.cli.runs;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.vmtest.cli.ExitCodes;
import org.vmtest.cli.client.CoordinatorOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "workers", mixinStandardHelpOptions = true, description = "Lists the workers and what they run, from their heartbeats.")
public final class WorkersCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CoordinatorOptions coordinator;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        JsonNode workers = coordinator.client().workers();
        JsonNode list = workers.isArray() ? workers : workers.path("workers");
        out.printf("%-20s %-8s %-6s %-5s %-6s %s%n", "worker", "state", "accel", "slots", "stale", "running jobs");
        for (JsonNode w : list) {
            JsonNode status = w.path("status");   // the worker's last heartbeat (WorkerStatus), beside "stale"
            out.printf("%-20s %-8s %-6s %-5s %-6s %s%n", status.path("workerId").asText(), status.path("state").asText(),
                    status.path("accelerator").asText(), status.path("slots").asText(), w.path("stale").asText("false"),
                    status.path("runningJobs"));
        }
        out.flush();
        return ExitCodes.OK;
    }
}
