package org.vmtest.coordinator.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.util.Set;
import org.vmtest.protocol.jobs.ArtifactSpec;

/**
 * Request bodies are written by people and CI scripts: an unknown key there is a typo to report, although the wire
 * mapper (shared with the API) skips unknown keys so an older reader takes a newer writer's records.
 */
public final class StrictRequests extends DeserializationProblemHandler {
    private static final Set<Class<?>> STRICT = Set.of(SubmitRun.class, SubmitRun.Overrides.class, ArtifactSpec.class);

    @Override
    public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
                                         Object beanOrClass, String propertyName) throws IOException {
        Class<?> type = beanOrClass instanceof Class<?> c ? c : beanOrClass.getClass();
        if (STRICT.contains(type)) {
            throw UnrecognizedPropertyException.from(p, beanOrClass, propertyName, null);
        }
        return false;
    }
}
