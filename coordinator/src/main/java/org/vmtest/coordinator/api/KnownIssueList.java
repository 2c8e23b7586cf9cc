package org.vmtest.coordinator.api;

import java.util.List;
import org.vmtest.protocol.issues.KnownIssue;

/** {@code GET /api/v1/known-issues}: every known issue, by id. */
public record KnownIssueList(List<KnownIssue> knownIssues) {
}
