package org.vmtest.protocol.profiles;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.vmtest.protocol.codec.Json;
import org.vmtest.protocol.jobs.ImagePath;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.protocol.jobs.SshSpec;
import org.vmtest.protocol.jobs.VmSpec;

/**
 * Reads profile files (YAML). Strict, unlike the wire: an unknown key in a profile is a typo to report, not a
 * newer field to skip. Every error names the file, line and column. An image path that leaves the image directory is
 * refused here ({@link ImagePath}), so a catalogue never offers such a profile.
 */
public final class ProfileYaml {
    private static final ObjectMapper YAML = Json.configure(new YAMLMapper(new YAMLFactory()))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ProfileYaml() {
    }

    public static Profile read(Path file) throws ProfileException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ProfileException(file.toString(), 0, 0, "cannot read: " + e.getMessage());
        }
        return parse(file.toString(), text);
    }

    /** @param name how to name the source in errors (a file path, {@code request body}) */
    public static Profile parse(String name, String yaml) throws ProfileException {
        return parse(name, yaml, ProfileVariables.none(), false);
    }

    /**
     * Reads a profile file with the run's variables substituted ({@link ProfileVariables}).
     *
     * @param masked secret variables as {@code ***} (the copy the API shows) instead of their values
     */
    public static Profile parse(String name, String yaml, ProfileVariables variables, boolean masked)
            throws ProfileException {
        JsonNode tree;
        try {
            tree = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw problem(name, yaml, e);
        }
        return bind(name, yaml, tree, variables, masked);
    }

    /**
     * Checks and binds a profile given as a tree (a profile definition sent as JSON) exactly as a file is checked:
     * unknown keys, types, regexes, image paths. Errors name the field path; there is no line to name.
     */
    public static Profile bind(String name, JsonNode tree, ProfileVariables variables, boolean masked)
            throws ProfileException {
        return bind(name, "", tree, variables, masked);
    }

    private static Profile bind(String name, String yaml, JsonNode tree, ProfileVariables variables, boolean masked)
            throws ProfileException {
        if (tree == null || tree.isMissingNode() || tree.isNull()) throw new ProfileException(name, 0, 0, "empty profile");
        JsonNode resolved;
        try {
            resolved = variables.resolve(tree, masked);
        } catch (ProfileVariables.Unresolved e) {
            int line = lineOfKey(yaml, references(e.path()));
            throw new ProfileException(name, line, line > 0 ? 1 : 0, e.getMessage());
        }
        try {
            Profile profile = YAML.treeToValue(resolved, Profile.class);
            if (profile == null) throw new ProfileException(name, 0, 0, "empty profile");
            Optional<ImagePath.Violation> outside = ImagePath.firstViolation(profile.vm());
            if (outside.isPresent()) {
                int line = lineOfKey(yaml, List.of(new JsonMappingException.Reference(Profile.class, "vm"),
                        new JsonMappingException.Reference(VmSpec.class, outside.get().field())));
                throw new ProfileException(name, line, line > 0 ? 1 : 0, outside.get().message());
            }
            String identityFile = profile.ssh().identityFile();
            if (identityFile != null && !ImagePath.staysInside(identityFile)) {
                int line = lineOfKey(yaml, List.of(new JsonMappingException.Reference(Profile.class, "ssh"),
                        new JsonMappingException.Reference(SshSpec.class, "identityFile")));
                throw new ProfileException(name, line, line > 0 ? 1 : 0,
                        "ssh.identityFile: must be a path inside the worker's key directory, not " + identityFile);
            }
            return profile;
        } catch (JsonProcessingException e) {
            throw problem(name, yaml, e);
        }
    }

    private static List<JsonMappingException.Reference> references(List<Object> path) {
        return path.stream().map(p -> p instanceof Integer i
                ? new JsonMappingException.Reference(null, i)
                : new JsonMappingException.Reference(null, (String) p)).toList();
    }

    private static ProfileException problem(String name, String yaml, JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        int line = at == null ? 0 : Math.max(0, at.getLineNr());
        int column = at == null ? 0 : Math.max(0, at.getColumnNr());
        int keyLine = e instanceof JsonMappingException jme ? lineOfKey(yaml, jme.getPath()) : 0;
        if (keyLine > 0) {
            // Jackson buffers a record's properties and reports problems at the object's end; the key's own
            // line is what a person needs.
            line = keyLine;
            column = 1;
        }
        return new ProfileException(name, line, column, describe(e));
    }

    /** The line of the key a mapping path ends in, found by walking the keys down the text; 0 if not found. */
    static int lineOfKey(String yaml, List<JsonMappingException.Reference> path) {
        String[] lines = yaml.split("\n", -1);
        int from = 0;
        int found = 0;
        for (JsonMappingException.Reference ref : path) {
            if (ref.getFieldName() == null) continue;
            Pattern key = Pattern.compile("^\\s*(-\\s+)?\"?" + Pattern.quote(ref.getFieldName()) + "\"?\\s*:");
            int hit = -1;
            for (int i = from; i < lines.length; i++) {
                if (key.matcher(lines[i]).find()) {
                    hit = i;
                    break;
                }
            }
            if (hit < 0) return found;
            found = hit + 1;
            from = hit + 1;
        }
        return found;
    }

    private static String describe(JsonProcessingException e) {
        String path = "";
        if (e instanceof JsonMappingException jme && !jme.getPath().isEmpty()) {
            path = jme.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[") + ": ";
        }
        if (e instanceof UnrecognizedPropertyException upe) {
            return path + "unknown key '" + upe.getPropertyName() + "'";
        }
        Throwable cause = e.getCause();
        if (cause instanceof IllegalArgumentException || cause instanceof NullPointerException) {
            String msg = cause.getMessage();
            return path + (cause instanceof NullPointerException ? "missing required key '" + msg + "'" : msg);
        }
        return path + e.getOriginalMessage();
    }
}
