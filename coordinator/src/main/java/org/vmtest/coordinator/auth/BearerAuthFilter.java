package org.vmtest.coordinator.auth;

import io.dropwizard.auth.AuthFilter;
import io.dropwizard.auth.Authenticator;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.vmtest.coordinator.api.ApiError;

/**
 * {@code Authorization: Bearer <token>}. Browsers cannot set headers on an {@code EventSource}, so for event
 * streams alone the token may come as the {@code access_token} query parameter.
 */
@Priority(Priorities.AUTHENTICATION)
public final class BearerAuthFilter extends AuthFilter<String, Caller> {
    static final String REALM = "vmtest";
    private final boolean enabled;

    public BearerAuthFilter(Authenticator<String, Caller> authenticator, boolean enabled) {
        this.authenticator = enabled ? authenticator : token -> java.util.Optional.of(Caller.ANYONE);
        this.authorizer = (caller, scope, ctx) -> caller.may(scope);
        this.prefix = "Bearer";
        this.realm = REALM;
        this.enabled = enabled;
        this.unauthorizedHandler = new io.dropwizard.auth.UnauthorizedHandler() {
            @Override
            public Response buildResponse(String prefix, String realm) {
                return Response.status(401)
                        .header(HttpHeaders.WWW_AUTHENTICATE, prefix + " realm=\"" + realm + "\"")
                        .type(MediaType.APPLICATION_JSON_TYPE)
                        .entity(new ApiError(401, "a bearer token is required (Authorization: Bearer <token>)", "Authorization"))
                        .build();
            }
        };
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (!enabled) {
            authenticate(request, "", "Bearer");
            return;
        }
        String token = fromHeader(request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION));
        if (token == null && request.getUriInfo().getPath().endsWith("/events")) {
            token = request.getUriInfo().getQueryParameters().getFirst("access_token");
        }
        if (token == null || token.isEmpty() || !authenticate(request, token, "Bearer")) {
            throw unauthorizedHandler.buildException(prefix, realm);
        }
    }

    private static String fromHeader(String header) {
        if (header == null) return null;
        int space = header.indexOf(' ');
        if (space <= 0 || !header.substring(0, space).equalsIgnoreCase("Bearer")) return null;
        return header.substring(space + 1).trim();
    }
}
