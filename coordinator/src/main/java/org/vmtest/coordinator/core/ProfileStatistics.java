package org.vmtest.coordinator.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vmtest.coordinator.api.Job;
import org.vmtest.coordinator.api.PhaseSpan;
import org.vmtest.coordinator.api.ProfileStats;
import org.vmtest.coordinator.api.Run;
import org.vmtest.coordinator.state.RunView;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;

/** A profile's finished jobs of the last days, in numbers, from the run state this coordinator holds. */
public final class ProfileStatistics {
    static final int TOP_FAILURES = 10;

    private final RunView runs;

    public ProfileStatistics(RunView runs) {
        this.runs = runs;
    }

    public ProfileStats of(String profile, int days, Instant now) {
        if (days < 1 || days > FailureGroups.MAX_DAYS) {
            throw ApiException.badRequest("days must be from 1 to " + FailureGroups.MAX_DAYS + ", got " + days, "days");
        }
        Instant since = now.minus(Duration.ofDays(days));
        Set<String> runIds = new HashSet<>();
        int passed = 0;
        int failed = 0;
        int errors = 0;
        Map<Phase, List<Double>> phases = new EnumMap<>(Phase.class);
        Map<String, ProfileStats.SignatureCount> failures = new LinkedHashMap<>();
        for (Run run : runs.all()) {
            for (Job job : run.jobs()) {
                Instant at = job.finishedAt();
                if (!job.profile().equals(profile) || job.verdict() == null || at == null || at.isBefore(since)) continue;
                runIds.add(run.id());
                if (job.verdict() == Verdict.PASSED) {
                    passed++;
                } else if (job.verdict() == Verdict.ERROR) {
                    errors++;
                } else {
                    failed++;
                }
                for (PhaseSpan span : job.phases()) {
                    if (span.end() == null) continue;
                    phases.computeIfAbsent(span.name(), p -> new ArrayList<>())
                            .add(Duration.between(span.start(), span.end()).toMillis() / 1000.0);
                }
                if (job.failure() != null && job.verdict() != Verdict.PASSED) {
                    String sig = job.failure().signature().isEmpty() ? job.failure().title() : job.failure().signature();
                    ProfileStats.SignatureCount c = failures.get(sig);
                    failures.put(sig, new ProfileStats.SignatureCount(sig, job.failure().title(), c == null ? 1 : c.count() + 1));
                }
            }
        }
        Map<String, ProfileStats.Percentiles> phaseSeconds = new LinkedHashMap<>();
        phases.forEach((phase, values) -> phaseSeconds.put(phase.name(), percentiles(values)));
        List<ProfileStats.SignatureCount> top = failures.values().stream()
                .sorted(Comparator.comparingInt(ProfileStats.SignatureCount::count).reversed()
                        .thenComparing(ProfileStats.SignatureCount::signature))
                .limit(TOP_FAILURES).toList();
        int counted = passed + failed;
        return new ProfileStats(profile, days, runIds.size(), passed + failed + errors, passed, failed, errors,
                counted == 0 ? null : (double) passed / counted, phaseSeconds, top);
    }

    /** Nearest-rank percentiles. */
    static ProfileStats.Percentiles percentiles(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return new ProfileStats.Percentiles(rank(sorted, 0.50), rank(sorted, 0.95), sorted.size());
    }

    private static double rank(List<Double> sorted, double q) {
        int index = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
