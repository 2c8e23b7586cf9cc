package org.vmtest.cli.vm;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --profiles}: the profile catalogue of the commands that run profiles on this host. */
public final class ProfilesDirOption {
    @Option(names = "--profiles", paramLabel = "DIR", defaultValue = "deploy/profiles",
            description = "profile catalogue (default: ${DEFAULT-VALUE})")
    Path dir;

    public Path dir() {
        return dir;
    }
}
