package org.vmtest.cli.vm;

import picocli.CommandLine.Command;

@Command(name = "vm", mixinStandardHelpOptions = true,
        description = "A VM for manual testing, outside any run.",
        subcommands = {VmStartCommand.class})
public final class VmCommand {
}
