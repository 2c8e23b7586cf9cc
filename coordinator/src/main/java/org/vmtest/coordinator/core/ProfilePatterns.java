package org.vmtest.coordinator.core;

import java.util.Optional;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.regex.PatternChecks;

/**
 * A profile's own patterns, checked by the rules the analyzer applies to them (a regex that compiles, a title whose
 * {@code ${group}} exists, no regex that can backtrack catastrophically): a profile the coordinator accepts is one
 * the analyzer takes whole, instead of dropping its patterns when the job starts.
 */
final class ProfilePatterns {
    private ProfilePatterns() {
    }

    /** What is wrong with the profile's patterns ({@code patterns: pattern ID: what}), or empty. */
    static Optional<String> problem(Profile profile) {
        return PatternChecks.problemOfAll(profile.patterns()).map(p -> "patterns: " + p);
    }
}
