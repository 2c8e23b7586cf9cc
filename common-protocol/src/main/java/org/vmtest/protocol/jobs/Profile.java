package org.vmtest.protocol.jobs;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.vmtest.protocol.Phase;

/**
 * A profile: what to boot, how to install it, what to test. Travels inside {@link JobRequested} so a worker
 * needs no catalogue of its own.
 *
 * @param phaseTimeouts how long each phase may take in all; missing phases get {@link #DEFAULT_PHASE_TIMEOUT}
 * @param stallLimits   how long a phase may stay silent before the analyzer calls it stalled
 * @param attemptLimit  how many workers may try the job before it ends as ERROR
 * @param patterns      extra patterns for this profile's jobs, on top of the analyzer's library
 * @param console       how to log in on the serial console, for {@code ssh.keyDelivery: CONSOLE}
 */
public record Profile(
        String name,
        String description,
        VmSpec vm,
        SshSpec ssh,
        List<Step> install,
        boolean reboot,
        List<TestSpec> tests,
        Map<Phase, Duration> phaseTimeouts,
        Map<Phase, Duration> stallLimits,
        int attemptLimit,
        List<PatternSpec> patterns,
        ConsoleSpec console) {

    public static final Duration DEFAULT_PHASE_TIMEOUT = Duration.ofMinutes(10);
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    public Profile {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name must match " + NAME.pattern() + ", got '" + name + "'");
        }
        Objects.requireNonNull(vm, "vm");
        if (description == null) description = "";
        if (ssh == null) ssh = SshSpec.DEFAULT;
        install = install == null ? List.of() : List.copyOf(install);
        tests = tests == null ? List.of() : List.copyOf(tests);
        phaseTimeouts = phaseTimeouts == null || phaseTimeouts.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(phaseTimeouts));
        stallLimits = stallLimits == null || stallLimits.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(stallLimits));
        if (attemptLimit == 0) attemptLimit = 3;
        if (attemptLimit < 1) throw new IllegalArgumentException("attemptLimit must be at least 1, got " + attemptLimit);
        patterns = patterns == null ? List.of() : List.copyOf(patterns);
        if (console == null) console = ConsoleSpec.NONE;
        if (ssh.keyDelivery() == SshSpec.KeyDelivery.CONSOLE && console.login().isEmpty()) {
            throw new IllegalArgumentException("ssh.keyDelivery CONSOLE needs console.login: the steps that reach a shell prompt");
        }
        if (ssh.keyDelivery() == SshSpec.KeyDelivery.NONE
                && (install.stream().anyMatch(s -> s.run() != null) || tests.stream().anyMatch(t -> t.run() != null))) {
            throw new IllegalArgumentException("install steps and tests with run go over SSH: ssh.keyDelivery NONE"
                    + " allows console steps only");
        }
        if (ssh.keyDelivery() == SshSpec.KeyDelivery.KERNEL_CMDLINE && !vm.directBoot()) {
            throw new IllegalArgumentException("ssh.keyDelivery KERNEL_CMDLINE needs a direct-boot vm (kernel); use CLOUD_INIT or IDENTITY_FILE for disk and ISO images");
        }
    }

    /** A profile without console login steps. */
    public Profile(String name, String description, VmSpec vm, SshSpec ssh, List<Step> install, boolean reboot,
                   List<TestSpec> tests, Map<Phase, Duration> phaseTimeouts, Map<Phase, Duration> stallLimits,
                   int attemptLimit, List<PatternSpec> patterns) {
        this(name, description, vm, ssh, install, reboot, tests, phaseTimeouts, stallLimits, attemptLimit, patterns,
                null);
    }

    /** This profile with another attempt limit; every other field stays (a run's override). */
    public Profile withAttemptLimit(int limit) {
        return new Profile(name, description, vm, ssh, install, reboot, tests, phaseTimeouts, stallLimits, limit,
                patterns, console);
    }

    public Duration timeout(Phase phase) {
        return phaseTimeouts.getOrDefault(phase, DEFAULT_PHASE_TIMEOUT);
    }
}
