package org.vmtest.protocol.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.commons.text.StringSubstitutor;
import org.apache.commons.text.lookup.StringLookupFactory;

/**
 * Reads a service's YAML configuration the way Dropwizard reads the coordinator's: {@code ${NAME}} and
 * {@code ${NAME:-default}} are replaced from the environment first, so one file serves every host of a cluster;
 * unknown keys are typos and refused; every error names the file and line.
 */
public final class ConfigYaml {
    private static final ObjectMapper YAML = Json.configure(new YAMLMapper())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ConfigYaml() {
    }

    public static <T> T read(Path file, Class<T> type) throws IOException {
        return read(file, type, System.getenv());
    }

    static <T> T read(Path file, Class<T> type, Map<String, String> environment) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("config file not found: " + file);
        String text = substitute(file, Files.readString(file), environment);
        try {
            T value = YAML.readValue(text, type);
            if (value == null) throw new IOException(file + ": empty configuration");
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw new IOException(file + ":" + e.getLocation().getLineNr() + ": unknown key '" + e.getPropertyName()
                    + "' (known: " + e.getKnownPropertyIds() + ")", e);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : ":" + e.getLocation().getLineNr();
            Throwable cause = e.getCause();
            String why = cause instanceof IllegalArgumentException ? cause.getMessage() : e.getOriginalMessage();
            throw new IOException(file + where + ": " + why, e);
        }
    }

    private static String substitute(Path file, String text, Map<String, String> environment) throws IOException {
        StringSubstitutor env = new StringSubstitutor(StringLookupFactory.INSTANCE.mapStringLookup(environment));
        env.setValueDelimiter(":-");
        env.setEnableUndefinedVariableException(true);
        try {
            return env.replace(text);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage() + " (set it in the environment or give a default: "
                    + "${NAME:-default})", e);
        }
    }
}
