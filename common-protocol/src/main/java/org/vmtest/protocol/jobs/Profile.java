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
        List<PatternSpec> patterns) {

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
        if (ssh.keyDelivery() == SshSpec.KeyDelivery.NONE && !(install.isEmpty() && tests.isEmpty())) {
            throw new IllegalArgumentException("install steps and tests run over SSH: ssh.keyDelivery NONE allows neither");
        }
        if (ssh.keyDelivery() == SshSpec.KeyDelivery.KERNEL_CMDLINE && !vm.directBoot()) {
            throw new IllegalArgumentException("ssh.keyDelivery KERNEL_CMDLINE needs a direct-boot vm (kernel); use CLOUD_INIT or IDENTITY_FILE for disk and ISO images");
        }
    }

    public Duration timeout(Phase phase) {
        return phaseTimeouts.getOrDefault(phase, DEFAULT_PHASE_TIMEOUT);
    }
}
