package org.vmtest.cli.vm;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --guest-dir}: where the test guest was built, for every command that boots or checks it. */
public final class GuestDirOption {
    @Option(names = "--guest-dir", paramLabel = "DIR", defaultValue = "${env:VMTEST_GUEST_DIR:-vmtest-out/guest}",
            description = "the test guest's build output, where profiles' relative image paths resolve "
                    + "(default: $VMTEST_GUEST_DIR or vmtest-out/guest)")
    Path dir;

    public Path dir() {
        return dir;
    }
}
