package org.vmtest.coordinator.api;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /api/v1/runs}. Strict ({@link StrictRequests}): an unknown key is a typo the caller
 * wants to hear about.
 *
 * @param profiles  names from the profile catalogue; one job each, in this order (a name may repeat)
 * @param labels    free-form, e.g. {@code commit} and {@code ci}; returned with the run and its verdict
 * @param overrides changes to every job's profile for this run only
 */
public record SubmitRun(
        @NotEmpty(message = "must name at least one profile") @Size(max = 100, message = "at most 100 profiles per run")
        List<@NotBlank(message = "must not be blank") String> profiles,
        @Size(max = 50, message = "at most 50 labels") Map<@NotBlank @Size(max = 100) String, @Size(max = 2000) String> labels,
        @Valid Overrides overrides) {

    public SubmitRun {
        labels = labels == null ? Map.of() : labels;
    }

    /** @param attemptLimit how many workers may try each job (1 to 10) */
        public record Overrides(@jakarta.validation.constraints.Min(1) @jakarta.validation.constraints.Max(10) Integer attemptLimit) {
    }
}
