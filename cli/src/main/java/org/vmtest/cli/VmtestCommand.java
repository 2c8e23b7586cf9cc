package org.vmtest.cli;

import org.vmtest.cli.doctor.DoctorCommand;
import picocli.CommandLine.Command;

@Command(name = "vmtest",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Installs and tests operating-system configurations in real virtual machines.",
        subcommands = {DoctorCommand.class})
public final class VmtestCommand {
}
