package org.vmtest.coordinator.core;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.vmtest.issues.KnownIssueRegistry;
import org.vmtest.coordinator.api.FailureGroup;
import org.vmtest.coordinator.api.FailureGroupList;
import org.vmtest.coordinator.api.Job;
import org.vmtest.coordinator.api.Run;
import org.vmtest.coordinator.state.RunView;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.verdicts.FailureAnalysis;
import org.vmtest.protocol.verdicts.KnownIssueRef;

/**
 * Failures grouped by signature across runs, from the run state this coordinator holds: every job verdict that
 * reached {@code vmtest.verdicts} is in a run of {@code vmtest.runs}, which a restarted coordinator reads back and
 * {@code runRetention} bounds. Computed per request, so nothing more is kept in memory.
 */
public final class FailureGroups {
    static final int LATEST = 10;
    static final int MAX_DAYS = 366;

    private final RunView runs;
    private final KnownIssueRegistry knownIssues;

    public FailureGroups(RunView runs, KnownIssueRegistry knownIssues) {
        this.runs = runs;
        this.knownIssues = knownIssues;
    }

    public FailureGroupList list(int days, Instant now) {
        if (days < 1 || days > MAX_DAYS) {
            throw ApiException.badRequest("days must be from 1 to " + MAX_DAYS + ", got " + days, "days");
        }
        Instant since = now.minus(Duration.ofDays(days));
        Map<String, Builder> groups = new LinkedHashMap<>();
        for (Run run : runs.all()) {
            for (Job job : run.jobs()) {
                FailureAnalysis f = job.failure();
                Instant at = job.finishedAt() != null ? job.finishedAt() : run.updatedAt();
                if (f == null || job.verdict() == null || job.verdict() == Verdict.PASSED || at == null
                        || at.isBefore(since)) {
                    continue;
                }
                String signature = f.signature().isEmpty() ? f.title() : f.signature();
                groups.computeIfAbsent(signature, s -> new Builder(s)).add(run, job, f, at);
            }
        }
        List<FailureGroup> out = groups.values().stream().map(b -> b.build(knownIssues, now))
                .sorted(Comparator.comparing(FailureGroup::lastSeen).reversed().thenComparing(FailureGroup::signature))
                .toList();
        return new FailureGroupList(days, out);
    }

    static String link(String runId, String jobId) {
        return "/run.html?id=" + URLEncoder.encode(runId, StandardCharsets.UTF_8) + "#job-"
                + URLEncoder.encode(jobId, StandardCharsets.UTF_8);
    }

    private static final class Builder {
        private final String signature;
        private String title;
        private Instant first;
        private Instant last;
        private int count;
        private final TreeSet<String> profiles = new TreeSet<>();
        private final List<FailureGroup.Occurrence> occurrences = new ArrayList<>();
        private KnownIssueRef latestKnown;
        private Instant latestKnownAt;

        Builder(String signature) {
            this.signature = signature;
        }

        void add(Run run, Job job, FailureAnalysis f, Instant at) {
            count++;
            profiles.add(job.profile());
            if (first == null || at.isBefore(first)) first = at;
            if (last == null || !at.isBefore(last)) {
                last = at;
                title = f.title();
            }
            if (f.knownIssue() != null && (latestKnownAt == null || at.isAfter(latestKnownAt))) {
                latestKnown = f.knownIssue();
                latestKnownAt = at;
            }
            occurrences.add(new FailureGroup.Occurrence(run.id(), job.id(), job.profile(), at, link(run.id(), job.id())));
        }

        FailureGroup build(KnownIssueRegistry known, Instant now) {
            List<FailureGroup.Occurrence> latest = occurrences.stream()
                    .sorted(Comparator.comparing(FailureGroup.Occurrence::time).reversed())
                    .limit(LATEST).toList();
            KnownIssueRef issue = latestKnown;
            if (issue == null) {
                String profile = latest.get(0).profile();
                issue = known.match(profile, title, signature, now).orElse(null);
            }
            return new FailureGroup(signature, title, first, last, count, List.copyOf(profiles), latest, issue);
        }
    }
}
