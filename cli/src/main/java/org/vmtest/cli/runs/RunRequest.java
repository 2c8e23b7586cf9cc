package org.vmtest.cli.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.vmtest.protocol.jobs.ArtifactSpec;
import org.vmtest.protocol.profiles.ProfileException;
import org.vmtest.protocol.profiles.ProfileVariables;
import org.vmtest.protocol.profiles.ProfileYaml;

/**
 * The body of {@code POST /api/v1/runs} as {@code vmtest submit}'s options describe it. Profile files are checked
 * here first, with the same code and the same variables the coordinator uses, so a mistake is reported with its
 * file and line before anything is sent.
 *
 * <pre>{@code
 * Map<String, Object> body = new RunRequest(List.of("pass"), labels)
 *         .variables(Map.of("GREETING", "hi")).profileFiles(List.of(Path.of("ci.yaml"))).body();
 * }</pre>
 */
public final class RunRequest {
    /** A secret's value read from a file: {@code --secret-var TOKEN=@/run/secrets/token}. */
    static final String FROM_FILE = "@";
    /** A secret's value read from the environment: {@code --secret-var TOKEN=env:CI_TOKEN}. */
    static final String FROM_ENV = "env:";
    private static final ObjectMapper YAML = new YAMLMapper();
    private static final String SHA256_MARK = "#sha256=";

    private final List<String> profiles;
    private final Map<String, String> labels;
    private Map<String, String> variables = Map.of();
    private Map<String, String> secretVariables = Map.of();
    private Map<String, ArtifactSpec> artifacts = Map.of();
    private List<Path> profileFiles = List.of();

    public RunRequest(List<String> profiles, Map<String, String> labels) {
        this.profiles = profiles == null ? List.of() : List.copyOf(profiles);
        this.labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    public RunRequest variables(Map<String, String> variables) {
        this.variables = variables == null ? Map.of() : Map.copyOf(variables);
        return this;
    }

    /** @param given {@code NAME -> VALUE}, {@code NAME -> @FILE} or {@code NAME -> env:VAR} */
    public RunRequest secretVariables(Map<String, String> given, UnaryOperator<String> environment) {
        Map<String, String> values = new LinkedHashMap<>();
        if (given != null) {
            given.forEach((name, value) -> values.put(name, secretValue("--secret-var " + name, value, environment)));
        }
        this.secretVariables = values;
        return this;
    }

    /** @param given {@code NAME -> URL#sha256=HEX} */
    public RunRequest artifacts(Map<String, String> given) {
        Map<String, ArtifactSpec> specs = new LinkedHashMap<>();
        if (given != null) given.forEach((name, value) -> specs.put(name, artifact(name, value)));
        this.artifacts = specs;
        return this;
    }

    /**
     * Request headers for fetching artifacts given with {@link #artifacts}; call after it.
     *
     * @param given {@code NAME=HEADER: VALUE} per header; VALUE may be {@code @FILE} or {@code env:VAR}
     */
    public RunRequest artifactHeaders(List<String> given, UnaryOperator<String> environment) {
        if (given == null || given.isEmpty()) return this;
        Map<String, Map<String, String>> headers = new LinkedHashMap<>();
        for (String header : given) {
            int eq = header.indexOf('=');
            int colon = header.indexOf(':', Math.max(eq, 0));
            if (eq <= 0 || colon < 0) {
                throw new IllegalArgumentException("--artifact-header: expected NAME=HEADER: VALUE, got no '=' or ':'");
            }
            String name = header.substring(0, eq);
            if (!artifacts.containsKey(name)) {
                throw new IllegalArgumentException("--artifact-header " + name + ": no --artifact " + name);
            }
            String value = secretValue("--artifact-header " + name, header.substring(colon + 1).strip(), environment);
            headers.computeIfAbsent(name, n -> new LinkedHashMap<>()).put(header.substring(eq + 1, colon).strip(), value);
        }
        Map<String, ArtifactSpec> withHeaders = new LinkedHashMap<>(artifacts);
        headers.forEach((name, h) -> {
            ArtifactSpec a = artifacts.get(name);
            withHeaders.put(name, new ArtifactSpec(a.url(), a.sha256(), a.size(), h, a.compression()));
        });
        this.artifacts = withHeaders;
        return this;
    }

    public RunRequest profileFiles(List<Path> files) {
        this.profileFiles = files == null ? List.of() : List.copyOf(files);
        return this;
    }

    /** The JSON body; throws {@link IllegalArgumentException} naming the option, file and line at fault. */
    public Map<String, Object> body() {
        if (profiles.isEmpty() && profileFiles.isEmpty()) {
            throw new IllegalArgumentException("name a profile (--profile) or give a profile file (--profile-file)");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("profiles", profiles);
        body.put("labels", labels);
        if (!variables.isEmpty()) body.put("variables", variables);
        if (!secretVariables.isEmpty()) body.put("secretVariables", secretVariables);
        if (!artifacts.isEmpty()) body.put("artifacts", artifacts);
        if (!profileFiles.isEmpty()) body.put("profileDefinitions", definitions());
        return body;
    }

    private List<JsonNode> definitions() {
        ProfileVariables values = ProfileVariables.of(variables, secretVariables);
        List<JsonNode> definitions = new ArrayList<>();
        for (Path file : profileFiles) {
            String text;
            try {
                text = Files.readString(file);
            } catch (IOException e) {
                throw new IllegalArgumentException("--profile-file " + file + ": cannot read: " + e.getMessage(), e);
            }
            try {
                ProfileYaml.parse(file.toString(), text, values, false);
                // What the file says goes to the coordinator, which substitutes the variables itself.
                definitions.add(YAML.readTree(text));
            } catch (ProfileException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            } catch (IOException e) {
                throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
            }
        }
        return definitions;
    }

    static ArtifactSpec artifact(String name, String value) {
        int mark = value.indexOf(SHA256_MARK);
        if (mark < 0) {
            throw new IllegalArgumentException("--artifact " + name + ": expected NAME=URL#sha256=HEX, got no #sha256=");
        }
        try {
            return new ArtifactSpec(value.substring(0, mark), value.substring(mark + SHA256_MARK.length()), null, null,
                    null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--artifact " + name + ": " + e.getMessage(), e);
        }
    }

    static String secretValue(String option, String value, UnaryOperator<String> environment) {
        if (value.startsWith(FROM_FILE)) {
            Path file = Path.of(value.substring(FROM_FILE.length()));
            try {
                return Files.readString(file).stripTrailing();
            } catch (IOException e) {
                throw new IllegalArgumentException(option + ": cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        if (value.startsWith(FROM_ENV)) {
            String variable = value.substring(FROM_ENV.length());
            String fromEnv = environment.apply(variable);
            if (fromEnv == null) {
                throw new IllegalArgumentException(option + ": environment variable " + variable + " is not set");
            }
            return fromEnv;
        }
        return value;
    }
}
