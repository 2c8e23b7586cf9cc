package org.vmtest.cli;

import picocli.CommandLine;

/** Entry point of the {@code vmtest} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (see {@link ExitCodes}). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The {@code vmtest} command line with its error handling and exit codes, for {@link #run} and tests. */
    public static CommandLine commandLine() {
        return new CommandLine(new VmtestCommand())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("vmtest: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
                    return ExitCodes.INFRASTRUCTURE;
                })
                .setExitCodeExceptionMapper(e -> ExitCodes.USAGE);
    }
}
