package org.vmtest.coordinator.core;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.vmtest.coordinator.api.SubmitRun;
import org.vmtest.protocol.jobs.ArtifactSpec;
import org.vmtest.protocol.jobs.ImagePath;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.protocol.profiles.ProfileException;
import org.vmtest.protocol.profiles.ProfileVariables;
import org.vmtest.protocol.profiles.ProfileYaml;

/**
 * Turns a submission into what its jobs run: the catalogue's profiles and the submitted definitions, each checked
 * as a profile file is ({@link ProfileYaml}), with the run's variables substituted once, here, and its
 * {@code artifact:NAME} references checked against the run's artifacts. Every mistake is a 400 naming the field.
 * Each profile comes out twice: with the values, for the worker, and with secret values masked, for everyone else.
 */
public final class RunResolver {
    public static final int MAX_VARIABLES = 100;
    public static final int MAX_VALUE_BYTES = 4096;

    private final ProfileCatalogue catalogue;

    public RunResolver(ProfileCatalogue catalogue) {
        this.catalogue = catalogue;
    }

    /** One job: the profile a worker runs (secret values in it) and the run's artifacts that profile names. */
    public record JobPlan(Profile profile, Map<String, ArtifactSpec> artifacts) {
    }

    /**
     * @param jobs      in the order of the request: {@code profiles}, then {@code profileDefinitions}
     * @param variables every variable, secret values as {@code ***}
     * @param profiles  each distinct profile once, secret values as {@code ***}
     */
    public record Resolved(List<JobPlan> jobs, Map<String, String> variables, List<Profile> profiles) {
    }

    public Resolved resolve(SubmitRun request) {
        if (request.profiles().isEmpty() && request.profileDefinitions().isEmpty()) {
            throw ApiException.badRequest("a run needs at least one profile: name one in profiles or send one in "
                    + "profileDefinitions", "profiles");
        }
        if (request.profiles().size() + request.profileDefinitions().size() > 100) {
            throw ApiException.badRequest("at most 100 jobs per run (profiles and profileDefinitions together)",
                    "profileDefinitions");
        }
        checkVariables(request);
        checkArtifactNames(request.artifacts());
        ProfileVariables variables = ProfileVariables.of(request.variables(), request.secretVariables());
        List<JobPlan> jobs = new ArrayList<>();
        Map<String, Profile> shown = new LinkedHashMap<>();
        for (int i = 0; i < request.profiles().size(); i++) {
            String name = request.profiles().get(i);
            String field = "profiles[" + i + "]";
            ProfileCatalogue.Source source = catalogue.source(name).orElseThrow(() -> ApiException.badRequest(
                    "unknown profile '" + name + "' (GET /api/v1/profiles lists them)", field));
            String what = "profile '" + name + "' (" + source.file().getFileName() + ")";
            Profile real = parse(field, () -> ProfileYaml.parse(what, source.text(), variables, false));
            Profile masked = parse(field, () -> ProfileYaml.parse(what, source.text(), variables, true));
            jobs.add(plan(real, request, field));
            shown.putIfAbsent(name, overridden(masked, request.overrides()));
        }
        for (int i = 0; i < request.profileDefinitions().size(); i++) {
            JsonNode definition = request.profileDefinitions().get(i);
            String field = "profileDefinitions[" + i + "]";
            String what = field + (definition.path("name").isTextual() ? " (" + definition.get("name").asText() + ")" : "");
            Profile real = parse(field, () -> ProfileYaml.bind(what, definition, variables, false));
            Profile masked = parse(field, () -> ProfileYaml.bind(what, definition, variables, true));
            if (catalogue.source(real.name()).isPresent()) {
                throw ApiException.badRequest(field + ": name '" + real.name() + "' is a catalogue profile's name;"
                        + " a definition needs a name of its own", field + ".name");
            }
            if (shown.containsKey(real.name())) {
                throw ApiException.badRequest(field + ": name '" + real.name() + "' is already used in this run",
                        field + ".name");
            }
            jobs.add(plan(real, request, field));
            shown.put(real.name(), overridden(masked, request.overrides()));
        }
        Map<String, String> shownVariables = new TreeMap<>(request.variables());
        request.secretVariables().keySet().forEach(name -> shownVariables.put(name, ProfileVariables.MASK));
        return new Resolved(jobs, shownVariables, List.copyOf(shown.values()));
    }

    private interface Parse {
        Profile run() throws ProfileException;
    }

    private static Profile parse(String field, Parse parse) {
        Profile profile;
        try {
            profile = parse.run();
        } catch (ProfileException e) {
            throw ApiException.badRequest(e.getMessage(), field);
        }
        ProfilePatterns.problem(profile).ifPresent(problem -> {
            throw ApiException.badRequest(field + " (" + profile.name() + "): " + problem, field + ".patterns");
        });
        return profile;
    }

    private static JobPlan plan(Profile profile, SubmitRun request, String field) {
        Map<String, ArtifactSpec> needed = new TreeMap<>();
        for (Map.Entry<String, String> image : profile.vm().imagePaths().entrySet()) {
            Optional<String> artifact = ImagePath.artifactName(image.getValue());
            if (artifact.isEmpty()) continue;
            ArtifactSpec spec = request.artifacts().get(artifact.get());
            if (spec == null) {
                throw ApiException.badRequest("profile '" + profile.name() + "': vm." + image.getKey()
                        + ": unknown artifact '" + artifact.get() + "' (the run's artifacts: "
                        + (request.artifacts().isEmpty() ? "none" : new TreeSet<>(request.artifacts().keySet())) + ")",
                        field);
            }
            needed.put(artifact.get(), spec);
        }
        return new JobPlan(overridden(profile, request.overrides()), needed);
    }

    private static Profile overridden(Profile p, SubmitRun.Overrides overrides) {
        if (overrides == null || overrides.attemptLimit() == null) return p;
        return p.withAttemptLimit(overrides.attemptLimit());
    }

    private static void checkVariables(SubmitRun request) {
        if (request.variables().size() + request.secretVariables().size() > MAX_VARIABLES) {
            throw ApiException.badRequest("at most " + MAX_VARIABLES + " variables per run (variables and "
                    + "secretVariables together), got " + (request.variables().size()
                    + request.secretVariables().size()), "variables");
        }
        checkVariables("variables", request.variables());
        checkVariables("secretVariables", request.secretVariables());
        for (String name : request.secretVariables().keySet()) {
            if (request.variables().containsKey(name)) {
                throw ApiException.badRequest("variable " + name + " is given both as a variable and as a secret "
                        + "variable", "secretVariables." + name);
            }
        }
    }

    private static void checkVariables(String field, Map<String, String> variables) {
        for (Map.Entry<String, String> e : variables.entrySet()) {
            if (!ProfileVariables.NAME.matcher(e.getKey()).matches()) {
                throw ApiException.badRequest("variable name '" + e.getKey() + "' must match "
                        + ProfileVariables.NAME.pattern(), field + "." + e.getKey());
            }
            // The value is never quoted back: it may be a secret.
            int bytes = e.getValue().getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_VALUE_BYTES) {
                throw ApiException.badRequest("the value of " + e.getKey() + " is " + bytes + " bytes, at most "
                        + MAX_VALUE_BYTES, field + "." + e.getKey());
            }
        }
    }

    private static void checkArtifactNames(Map<String, ArtifactSpec> artifacts) {
        for (String name : artifacts.keySet()) {
            if (!ArtifactSpec.NAME.matcher(name).matches()) {
                throw ApiException.badRequest("artifact name '" + name + "' must match " + ArtifactSpec.NAME.pattern(),
                        "artifacts." + name);
            }
        }
    }
}
