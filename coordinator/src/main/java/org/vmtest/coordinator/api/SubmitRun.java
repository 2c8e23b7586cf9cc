package org.vmtest.coordinator.api;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;
import org.vmtest.protocol.jobs.ArtifactSpec;

/**
 * The body of {@code POST /api/v1/runs}. Strict ({@link StrictRequests}): an unknown key is a typo the caller
 * wants to hear about. A run has at least one job: a name in {@code profiles} or an entry of
 * {@code profileDefinitions}.
 *
 * @param profiles           names from the profile catalogue; one job each, in this order (a name may repeat)
 * @param labels             free-form, e.g. {@code commit} and {@code ci}; returned with the run and its verdict
 * @param overrides          changes to every job's profile for this run only
 * @param variables          substituted for {@code ${NAME}} in the run's profiles
 * @param secretVariables    as {@code variables}, but never shown or logged, and on no topic but the jobs topic
 * @param artifacts          files the jobs fetch by URL, named in a profile as {@code artifact:NAME}
 * @param profileDefinitions whole profiles (the fields of a catalogue file, as JSON), one job each after those of
 *                           {@code profiles}
 */
public record SubmitRun(
        @Size(max = 100, message = "at most 100 profiles per run")
        List<@NotBlank(message = "must not be blank") String> profiles,
        @Size(max = 50, message = "at most 50 labels") Map<@NotBlank @Size(max = 100) String, @Size(max = 2000) String> labels,
        @Valid Overrides overrides,
        Map<String, @NotNull(message = "must be a string") String> variables,
        Map<String, @NotNull(message = "must be a string") String> secretVariables,
        @Size(max = 100, message = "at most 100 artifacts per run")
        Map<String, @NotNull(message = "must be an artifact {url, sha256}") ArtifactSpec> artifacts,
        @Size(max = 100, message = "at most 100 profile definitions per run")
        List<@NotNull(message = "must be a profile") JsonNode> profileDefinitions) {

    public SubmitRun {
        profiles = profiles == null ? List.of() : profiles;
        labels = labels == null ? Map.of() : labels;
        variables = variables == null ? Map.of() : variables;
        secretVariables = secretVariables == null ? Map.of() : secretVariables;
        artifacts = artifacts == null ? Map.of() : artifacts;
        profileDefinitions = profileDefinitions == null ? List.of() : profileDefinitions;
    }

    /** A run of catalogue profiles only. */
    public SubmitRun(List<String> profiles, Map<String, String> labels, Overrides overrides) {
        this(profiles, labels, overrides, null, null, null, null);
    }

    @Override
    public String toString() {
        // Secret values must never reach a log line, whoever logs a request.
        return "SubmitRun[profiles=" + profiles + ", labels=" + labels + ", variables=" + variables.keySet()
                + ", secretVariables=" + secretVariables.keySet() + ", artifacts=" + artifacts.keySet()
                + ", profileDefinitions=" + profileDefinitions.size() + "]";
    }

    /** @param attemptLimit how many workers may try each job (1 to 10) */
    public record Overrides(@Min(1) @Max(10) Integer attemptLimit) {
    }
}
