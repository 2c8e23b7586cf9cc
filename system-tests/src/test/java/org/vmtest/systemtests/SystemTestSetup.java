package org.vmtest.systemtests;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the system tests find the test guest and the profiles, as the build passes them. */
public final class SystemTestSetup {
    private SystemTestSetup() {
    }

    public static Path guestDir() {
        Path dir = Path.of(System.getProperty("vmtest.guest.dir", "../vmtest-out/guest"));
        if (!Files.isRegularFile(dir.resolve("vmlinuz"))) {
            throw new IllegalStateException("no test guest in " + dir.toAbsolutePath()
                    + ": build it with deploy/test-guest/build.sh (./vmtest test does)");
        }
        return dir;
    }

    public static Path profilesDir() {
        return Path.of(System.getProperty("vmtest.profiles.dir", "../deploy/profiles"));
    }

    /** How many times each fault case runs: 1 in the normal build, 10 with -Pfaults-long. */
    public static int faultRepeats() {
        return Integer.getInteger("vmtest.faults.repeat", 1);
    }
}
