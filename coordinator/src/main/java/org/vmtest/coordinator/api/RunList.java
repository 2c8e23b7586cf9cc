package org.vmtest.coordinator.api;

import java.util.List;

/** A page of runs, newest first. {@code total} counts every run that matched the filter. */
public record RunList(List<Run> runs, int total, int offset, int limit) {
}
