package org.vmtest.cli.runs;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.vmtest.cli.ExitCodes;
import org.vmtest.cli.client.CoordinatorClient;
import org.vmtest.cli.client.CoordinatorOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "logs", mixinStandardHelpOptions = true, description = "Prints a job's log from the coordinator's archive.")
public final class LogsCommand implements Callable<Integer> {
    enum Kind { console, install, test, stream, thoughts }

    @Spec
    CommandSpec spec;

    @Mixin
    CoordinatorOptions coordinator;

    @Parameters(paramLabel = "JOB")
    String jobId;

    @Option(names = "--kind", defaultValue = "console", description = "one of ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    Kind kind;

    @Option(names = "--tail", description = "only the last N lines")
    Integer tail;

    @Option(names = "--follow", description = "keep printing what is appended")
    boolean follow;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        CoordinatorClient client = coordinator.client();
        String text = client.logs(jobId, kind.name(), tail);
        out.print(text);
        out.flush();
        if (!follow) return ExitCodes.OK;
        long offset = tail == null ? text.getBytes(StandardCharsets.UTF_8).length
                : client.logs(jobId, kind.name(), null).getBytes(StandardCharsets.UTF_8).length;
        while (!Thread.currentThread().isInterrupted()) {
            String more = client.logsFrom(jobId, kind.name(), offset);
            if (!more.isEmpty()) {
                out.print(more);
                out.flush();
                offset += more.getBytes(StandardCharsets.UTF_8).length;
            } else {
                Thread.sleep(500);
            }
        }
        return ExitCodes.OK;
    }
}
