package org.vmtest.coordinator.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vmtest.issues.KnownIssueRegistry;
import org.vmtest.coordinator.api.FailureGroup;
import org.vmtest.coordinator.api.FailureGroupList;
import org.vmtest.coordinator.api.Job;
import org.vmtest.coordinator.api.PhaseSpan;
import org.vmtest.coordinator.api.ProfileStats;
import org.vmtest.coordinator.api.Run;
import org.vmtest.coordinator.api.RunStatus;
import org.vmtest.coordinator.state.RunView;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.issues.KnownIssue;
import org.vmtest.protocol.issues.KnownIssueMatch;
import org.vmtest.protocol.verdicts.FailureAnalysis;
import org.vmtest.protocol.verdicts.KnownIssueRef;

/** Failure groups and profile statistics, both computed from the runs a coordinator holds. */
class FailureGroupsTest {
    private static final Instant NOW = Instant.parse("2030-01-31T12:00:00Z");
    private final RunView runs = new RunView();
    private final KnownIssueRegistry known = new KnownIssueRegistry();

    private static FailureAnalysis failure(String title, String sig, KnownIssueRef issue) {
        return new FailureAnalysis(title, sig, "p", Phase.TESTING, "", null, null, issue);
    }

    private void run(String runId, Instant at, Job... jobs) {
        runs.pending(new Run(runId, RunStatus.DONE, Verdict.FAILED, Map.of(), at, at, at, List.of(jobs)));
    }

    private static Job job(String id, String profile, Verdict v, FailureAnalysis f, Instant end, long installSeconds) {
        Instant start = end.minusSeconds(installSeconds + 10);
        List<PhaseSpan> phases = List.of(new PhaseSpan(Phase.PROVISIONING, start, start.plusSeconds(10)),
                new PhaseSpan(Phase.INSTALLATION, start.plusSeconds(10), end));
        return new Job(id, profile, Phase.INSTALLATION, 1, "w", v, "", f, phases, List.of(), start, end);
    }

    @Test
    void failuresAreGroupedBySignatureNewestFirstWithTheirLatestJobsAndKnownIssue() {
        Instant d1 = NOW.minusSeconds(86_400 * 3);
        Instant d2 = NOW.minusSeconds(86_400 * 2);
        Instant d3 = NOW.minusSeconds(86_400);
        Instant old = NOW.minusSeconds(86_400 * 40);
        KnownIssueRef bug = new KnownIssueRef("bug-1", "https://bugs.example/1");
        run("r-old", old, job("j-0", "panic", Verdict.ABORTED, failure("panic", "s1", null), old, 5));
        run("r-1", d1, job("j-1", "panic", Verdict.ABORTED, failure("panic", "s1", null), d1, 5),
                job("j-2", "pass", Verdict.PASSED, null, d1, 5));
        run("r-2", d2, job("j-3", "other", Verdict.ABORTED, failure("panic again", "s1", bug), d2, 5));
        run("r-3", d3, job("j-4", "test-fail", Verdict.FAILED, failure("test selftest failed", "s2", null), d3, 5));
        known.put(new KnownIssue("selftest", KnownIssueMatch.titleRegex("^test selftest"), List.of(), "https://b/2", "",
                null, NOW));

        FailureGroupList list = new FailureGroups(runs, known).list(30, NOW);

        assertThat(list.groups()).extracting(FailureGroup::signature).containsExactly("s2", "s1");
        FailureGroup panic = list.groups().get(1);
        assertThat(panic.count()).as("the 40-day-old one is outside 30 days").isEqualTo(2);
        assertThat(panic.title()).isEqualTo("panic again");
        assertThat(panic.firstSeen()).isEqualTo(d1);
        assertThat(panic.lastSeen()).isEqualTo(d2);
        assertThat(panic.profiles()).containsExactly("other", "panic");
        assertThat(panic.latest()).extracting(FailureGroup.Occurrence::jobId).containsExactly("j-3", "j-1");
        assertThat(panic.latest().get(0).link()).isEqualTo("/run.html?id=r-2#job-j-3");
        assertThat(panic.knownIssue()).as("what its newest job carried").isEqualTo(bug);
        assertThat(list.groups().get(0).knownIssue()).as("a group nobody marked: the registry's match now")
                .extracting(KnownIssueRef::id).isEqualTo("selftest");
        assertThatThrownBy(() -> new FailureGroups(runs, known).list(0, NOW))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.field()).isEqualTo("days"));
    }

    @Test
    void profileStatsCountVerdictsPhasesAndTopFailures() {
        for (int i = 1; i <= 10; i++) {
            Instant at = NOW.minusSeconds(3600L * i);
            Verdict v = i <= 7 ? Verdict.PASSED : i <= 9 ? Verdict.FAILED : Verdict.ERROR;
            FailureAnalysis f = v == Verdict.PASSED ? null : failure("t" + i, i <= 9 ? "boom" : "infra", null);
            run("r-" + i, at, job("j-" + i, "flaky", v, f, at, i * 10L), job("x-" + i, "else", Verdict.PASSED, null, at, 1));
        }

        ProfileStats s = new ProfileStatistics(runs).of("flaky", 30, NOW);

        assertThat(s.runs()).isEqualTo(10);
        assertThat(s.jobs()).isEqualTo(10);
        assertThat(s.passed()).isEqualTo(7);
        assertThat(s.failed()).isEqualTo(2);
        assertThat(s.errors()).isEqualTo(1);
        assertThat(s.passRate()).isEqualTo(7.0 / 9);
        assertThat(s.phaseSeconds().get("INSTALLATION")).isEqualTo(new ProfileStats.Percentiles(50, 100, 10));
        assertThat(s.phaseSeconds().get("PROVISIONING").p50()).isEqualTo(10);
        assertThat(s.topFailures()).extracting(ProfileStats.SignatureCount::signature, ProfileStats.SignatureCount::count)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("boom", 2), org.assertj.core.groups.Tuple.tuple("infra", 1));
    }
}
