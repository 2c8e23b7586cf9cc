package org.vmtest.coordinator.api;

import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/profiles/{name}/stats}: how a profile's jobs of the last {@code days} days went.
 *
 * @param jobs       finished jobs of the profile
 * @param runs       runs that had at least one of them
 * @param passRate   passed / jobs with a product verdict (PASSED, FAILED, ABORTED); ERROR is left out; null when none
 * @param phaseSeconds phase name to {@code {p50, p95}} of how long it took, in seconds
 * @param topFailures the most frequent failure signatures, most frequent first
 */
public record ProfileStats(String profile, int days, int runs, int jobs, int passed, int failed, int errors,
                           Double passRate, Map<String, Percentiles> phaseSeconds,
                           List<SignatureCount> topFailures) {

    public record Percentiles(double p50, double p95, int samples) {
    }

    public record SignatureCount(String signature, String title, int count) {
    }
}
