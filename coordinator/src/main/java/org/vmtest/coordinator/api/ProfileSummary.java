package org.vmtest.coordinator.api;

/** A profile as {@code GET /profiles} lists it. */
public record ProfileSummary(String name, String description, String file, int tests, boolean reboot) {
}
