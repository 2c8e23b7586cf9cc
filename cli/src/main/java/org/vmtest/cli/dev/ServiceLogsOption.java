package org.vmtest.cli.dev;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --verbose} of the commands that run the local cluster: its services' logs on the terminal as well. */
public final class ServiceLogsOption {
    @Option(names = {"-v", "--verbose"},
            description = "also print the services' logs here (they always go to files under OUT/logs/)")
    boolean verbose;

    /** Sends the services' logs to files in {@code dir}, and to the terminal when {@code --verbose}. */
    public ServiceLogs open(Path dir) throws IOException {
        return ServiceLogs.open(dir, verbose);
    }
}
