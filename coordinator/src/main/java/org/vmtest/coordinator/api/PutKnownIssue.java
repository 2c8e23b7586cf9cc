package org.vmtest.coordinator.api;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;

/**
 * The body of {@code PUT /api/v1/known-issues/{id}}. Strict ({@link StrictRequests}).
 *
 * @param match    exactly one of {@code signature} (a failure's signature) or {@code titleRegex} (searched in its title)
 * @param profiles the profiles it applies to; absent or empty for every profile
 * @param url      the bug that tracks it (http or https)
 * @param expires  after this time it matches nothing; absent for never
 */
public record PutKnownIssue(
        @NotNull(message = "is required: {\"signature\": …} or {\"titleRegex\": …}") Match match,
        @Size(max = 100, message = "at most 100 profiles") List<String> profiles,
        @Size(max = 2000, message = "at most 2000 characters") String url,
        @Size(max = 4000, message = "at most 4000 characters") String note,
        Instant expires) {

    public record Match(@Size(max = 64, message = "at most 64 characters") String signature,
                        @Size(max = 1000, message = "at most 1000 characters") String titleRegex) {
    }
}
