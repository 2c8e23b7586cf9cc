package org.vmtest.coordinator.resources;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.coordinator.api.ApiError;
import org.vmtest.coordinator.core.ApiException;

/**
 * Turns every refusal into an {@link ApiError} body that names the field at fault: the API never answers a
 * client's mistake with a 5xx or an HTML page.
 */
public final class ErrorMappers {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorMappers.class);

    private ErrorMappers() {
    }

    static Response error(int status, String message, String field) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ApiError(status, message, field)).build();
    }

    public static final class Api implements ExceptionMapper<ApiException> {
        @Override
        public Response toResponse(ApiException e) {
            if (e.status() >= 500) LOG.warn("answering {}: {}", e.status(), e.getMessage());
            Response response = error(e.status(), e.getMessage(), e.field());
            // Every 503 here is a passing state (Kafka away, state still loading): tell clients when to come back.
            return e.status() == 503 ? Response.fromResponse(response).header("Retry-After", "2").build() : response;
        }
    }

    /** Malformed JSON, wrong types, unknown fields. */
    public static final class Json implements ExceptionMapper<JsonProcessingException> {
        @Override
        public Response toResponse(JsonProcessingException e) {
            if (e instanceof JsonParseException) {
                return error(400, "malformed JSON: " + e.getOriginalMessage(), null);
            }
            String field = e instanceof JsonMappingException m ? path(m) : null;
            String message;
            if (e instanceof UnrecognizedPropertyException u) {
                message = "unknown field '" + u.getPropertyName() + "'";
            } else if (e instanceof ValueInstantiationException v && v.getCause() instanceof IllegalArgumentException bad) {
                // a record's own check (an artifact's URL or sha256): its message names what is wrong
                message = bad.getMessage();
            } else if (e instanceof ValueInstantiationException v && v.getCause() instanceof NullPointerException missing) {
                message = "missing field '" + missing.getMessage() + "'";
            } else if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
                message = "wrong type: expected " + describe(m.getTargetType());
            } else {
                message = e.getOriginalMessage();
            }
            return error(400, message, field == null || field.isEmpty() ? null : field);
        }

        private static String path(JsonMappingException e) {
            StringBuilder sb = new StringBuilder();
            for (JsonMappingException.Reference ref : e.getPath()) {
                if (ref.getFieldName() != null) {
                    if (sb.length() > 0) sb.append('.');
                    sb.append(ref.getFieldName());
                } else if (ref.getIndex() >= 0) {
                    sb.append('[').append(ref.getIndex()).append(']');
                }
            }
            return sb.toString();
        }

        private static String describe(Class<?> type) {
            if (Collection.class.isAssignableFrom(type) || type.isArray()) return "an array";
            if (Map.class.isAssignableFrom(type) || type.isRecord()) return "an object";
            if (type == String.class) return "a string";
            if (type == Boolean.class || type == boolean.class) return "true or false";
            if (Number.class.isAssignableFrom(type) || type.isPrimitive()) return "a number";
            return type.getSimpleName();
        }
    }

    /** Jakarta validation of a request body: the first violation, by field name, is reported. */
    public static final class Violations implements ExceptionMapper<ConstraintViolationException> {
        @Override
        public Response toResponse(ConstraintViolationException e) {
            ConstraintViolation<?> first = e.getConstraintViolations().stream()
                    .min(Comparator.comparing(v -> field(v.getPropertyPath())))
                    .orElse(null);
            if (first == null) return error(400, "invalid request", null);
            String field = field(first.getPropertyPath());
            return error(400, (field.isEmpty() ? "body" : field) + " " + first.getMessage(), field.isEmpty() ? "body" : field);
        }

        static String field(Path path) {
            StringBuilder sb = new StringBuilder();
            for (Path.Node node : path) {
                ElementKind kind = node.getKind();
                if (kind == ElementKind.METHOD || kind == ElementKind.PARAMETER || kind == ElementKind.RETURN_VALUE
                        || kind == ElementKind.CROSS_PARAMETER) {
                    continue;
                }
                if (node.isInIterable()) {
                    Object at = node.getIndex() != null ? node.getIndex() : node.getKey();
                    if (at != null) sb.append('[').append(at).append(']');
                }
                if (kind == ElementKind.PROPERTY || kind == ElementKind.BEAN && node.getName() != null) {
                    if (sb.length() > 0) sb.append('.');
                    sb.append(node.getName());
                }
            }
            return sb.toString();
        }
    }

    /** Jersey's own refusals (404 no such resource, 405, 406, 415, auth): JSON, same shape. */
    public static final class WebApp implements ExceptionMapper<WebApplicationException> {
        @Override
        public Response toResponse(WebApplicationException e) {
            Response r = e.getResponse();
            if (r.hasEntity()) return r;
            int status = r.getStatus();
            if (status >= 500) LOG.error("request failed", e);
            String message = status >= 500 ? "internal error" : r.getStatusInfo().getReasonPhrase();
            Response.ResponseBuilder b = Response.fromResponse(r).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(new ApiError(status, message == null || message.isEmpty() ? "HTTP " + status : message));
            return b.build();
        }
    }
}
