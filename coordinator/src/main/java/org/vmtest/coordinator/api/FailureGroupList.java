package org.vmtest.coordinator.api;

import java.util.List;

/** {@code GET /api/v1/failures}: failure groups, the most recently seen first. */
public record FailureGroupList(int days, List<FailureGroup> groups) {
}
