package org.vmtest.cli;

import org.vmtest.cli.analyze.AnalyzeCommand;
import org.vmtest.cli.dev.DemoCommand;
import org.vmtest.cli.dev.DevCommand;
import org.vmtest.cli.doctor.DoctorCommand;
import org.vmtest.cli.service.ServiceCommands;
import org.vmtest.cli.vm.VmCommand;
import org.vmtest.cli.results.ResultsCommand;
import org.vmtest.cli.runs.CancelCommand;
import org.vmtest.cli.runs.LogsCommand;
import org.vmtest.cli.runs.RunsCommand;
import org.vmtest.cli.runs.SubmitCommand;
import org.vmtest.cli.runs.WorkersCommand;
import picocli.CommandLine.Command;

@Command(name = "vmtest",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Installs and tests operating-system configurations in real virtual machines.",
        subcommands = {SubmitCommand.class, ResultsCommand.class, RunsCommand.class, LogsCommand.class,
                CancelCommand.class, WorkersCommand.class, AnalyzeCommand.class, DoctorCommand.class, DevCommand.class,
                DemoCommand.class, VmCommand.class, ServiceCommands.CoordinatorService.class, ServiceCommands.AnalyzerService.class,
                ServiceCommands.WorkerService.class})
public final class VmtestCommand {
}
