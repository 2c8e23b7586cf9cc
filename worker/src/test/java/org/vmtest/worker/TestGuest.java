package org.vmtest.worker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.jobs.JobRequested;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.protocol.jobs.TestSpec;
import org.vmtest.protocol.profiles.ProfileYaml;

/** The test guest built by deploy/test-guest/build.sh and its scenario profiles, for integration tests. */
final class TestGuest {
    private TestGuest() {
    }

    static Path dir() {
        Path dir = Path.of(System.getProperty("vmtest.guest.dir", "../vmtest-out/guest")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve("guest.properties"))) {
            throw new IllegalStateException("no test guest in " + dir + ": run deploy/test-guest/build.sh first");
        }
        return dir;
    }

    static Profile profile(String scenario) {
        Path profiles = Path.of(System.getProperty("vmtest.profiles.dir", "../deploy/profiles"));
        try {
            return ProfileYaml.read(profiles.resolve(scenario + ".yaml"));
        } catch (Exception e) {
            throw new IllegalStateException("cannot read profile " + scenario + ": " + e.getMessage(), e);
        }
    }

    static Profile withTimeouts(Profile p, Map<Phase, Duration> timeouts) {
        Map<Phase, Duration> all = new EnumMap<>(Phase.class);
        all.putAll(p.phaseTimeouts());
        all.putAll(timeouts);
        return new Profile(p.name(), p.description(), p.vm(), p.ssh(), p.install(), p.reboot(), p.tests(), all,
                p.stallLimits(), p.attemptLimit(), p.patterns(), p.console());
    }

    /** The profile without its reboot and tests: the scenarios that are about the installation's output. */
    static Profile installOnly(Profile p) {
        return new Profile(p.name(), p.description(), p.vm(), p.ssh(), p.install(), false, List.<TestSpec>of(),
                p.phaseTimeouts(), p.stallLimits(), p.attemptLimit(), p.patterns(), p.console());
    }

    static Profile withAttemptLimit(Profile p, int limit) {
        return new Profile(p.name(), p.description(), p.vm(), p.ssh(), p.install(), p.reboot(), p.tests(),
                p.phaseTimeouts(), p.stallLimits(), limit, p.patterns(), p.console());
    }

    static JobRequested job(Profile profile) {
        String id = profile.name() + "-" + UUID.randomUUID().toString().substring(0, 8);
        return new JobRequested(id, "run-" + id, profile, Map.of(), Instant.now());
    }
}
