package org.vmtest.protocol.profiles;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.vmtest.protocol.codec.Json;
import org.vmtest.protocol.jobs.Profile;

/**
 * Reads profile files (YAML). Strict, unlike the wire: an unknown key in a profile is a typo to report, not a
 * newer field to skip. Every error names the file, line and column.
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
        try {
            Profile profile = YAML.readValue(yaml, Profile.class);
            if (profile == null) throw new ProfileException(name, 0, 0, "empty profile");
            return profile;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new ProfileException(name, at == null ? 0 : at.getLineNr(), at == null ? 0 : at.getColumnNr(),
                    describe(e));
        }
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
