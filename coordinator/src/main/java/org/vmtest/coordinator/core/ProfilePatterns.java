package org.vmtest.coordinator.core;

import java.util.Optional;
import org.vmtest.analyzer.patterns.PatternLibrary;
import org.vmtest.protocol.jobs.Profile;

/**
 * A profile's own patterns, checked by the analyzer's rules (a regex that compiles, a title whose {@code ${group}}
 * exists, no regex that can backtrack catastrophically): a profile the coordinator accepts is one the analyzer takes
 * whole, instead of dropping its patterns when the job starts.
 */
final class ProfilePatterns {
    private ProfilePatterns() {
    }

    /** What is wrong with the profile's patterns ({@code patterns: pattern ID: what}), or empty. */
    static Optional<String> problem(Profile profile) {
        if (profile.patterns().isEmpty()) return Optional.empty();
        try {
            PatternLibrary.fromSpecs(profile.patterns());
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of("patterns: " + e.getMessage());
        }
    }
}
