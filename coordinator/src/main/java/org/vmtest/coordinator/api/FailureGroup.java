package org.vmtest.coordinator.api;

import java.time.Instant;
import java.util.List;
import org.vmtest.protocol.verdicts.KnownIssueRef;

/**
 * Every failure with one signature, across runs ({@code GET /api/v1/failures}).
 *
 * @param latest     the newest jobs that failed this way, newest first (at most {@code FailureGroups.LATEST})
 * @param knownIssue the known issue the newest of them carried, else the one that matches the group now
 */
public record FailureGroup(String signature, String title, Instant firstSeen, Instant lastSeen, int count,
                           List<String> profiles, List<Occurrence> latest, KnownIssueRef knownIssue) {

    /** One job that failed this way, with the link to its run's page. */
    public record Occurrence(String runId, String jobId, String profile, Instant time, String link) {
    }
}
