package org.vmtest.coordinator.api;

import java.util.List;

/** {@code GET /profiles}: the usable profiles and the files that could not be loaded (with file:line). */
public record ProfileList(List<ProfileSummary> profiles, List<ProfileError> errors) {
    public record ProfileError(String file, int line, int column, String message) {
    }
}
