package org.vmtest.coordinator.auth;

import io.dropwizard.auth.AuthFilter;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vmtest.coordinator.api.ApiError;

/**
 * {@code Authorization: Bearer <token>} on every request. A browser's {@code EventSource} cannot send headers, so an
 * event stream may instead present {@code ?ticket=} from {@code POST /api/v1/runs/{id}/events/ticket}
 * ({@link EventTickets}). A token in the query string is refused outright: URLs are written to request logs, proxy
 * logs and browser history.
 */
@Priority(Priorities.AUTHENTICATION)
public final class BearerAuthFilter extends AuthFilter<Credentials, Caller> {
    static final String REALM = "vmtest";
    private static final Pattern EVENTS = Pattern.compile("v1/runs/([^/]+)/events");
    private final boolean enabled;

    public BearerAuthFilter(TokenAuthenticator tokens, EventTickets tickets, boolean enabled) {
        this.authenticator = credentials -> {
            if (!enabled) return Optional.of(Caller.ANYONE);
            if (credentials instanceof Credentials.EventTicket t) return tickets.verify(t.runId(), t.ticket());
            return tokens.authenticate(((Credentials.BearerToken) credentials).token());
        };
        this.authorizer = (caller, scope, ctx) -> caller.may(scope);
        this.prefix = "Bearer";
        this.realm = REALM;
        this.enabled = enabled;
        this.unauthorizedHandler = new io.dropwizard.auth.UnauthorizedHandler() {
            @Override
            public Response buildResponse(String prefix, String realm) {
                return refusal("a bearer token is required (Authorization: Bearer <token>)");
            }
        };
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (!enabled) {
            authenticate(request, new Credentials.BearerToken(""), "Bearer");
            return;
        }
        MultivaluedMap<String, String> query = request.getUriInfo().getQueryParameters();
        if (query.containsKey("access_token") || query.containsKey("token")) {
            throw new WebApplicationException(refusal("a token is never accepted in a URL: send it as"
                    + " Authorization: Bearer <token>; an event stream takes ?ticket= from POST /api/v1/runs/{id}/events/ticket"));
        }
        String token = fromHeader(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (token != null && !token.isEmpty()) {
            if (!authenticate(request, new Credentials.BearerToken(token), "Bearer")) {
                throw unauthorizedHandler.buildException(prefix, realm);
            }
            return;
        }
        Matcher events = EVENTS.matcher(request.getUriInfo().getPath());
        String ticket = query.getFirst("ticket");
        if (ticket != null && events.matches()) {
            if (!authenticate(request, new Credentials.EventTicket(events.group(1), ticket), "Ticket")) {
                throw new WebApplicationException(refusal("the event-stream ticket is not valid for this run or has"
                        + " expired: get a new one from POST /api/v1/runs/{id}/events/ticket"));
            }
            return;
        }
        throw unauthorizedHandler.buildException(prefix, realm);
    }

    private static Response refusal(String message) {
        return Response.status(401)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"" + REALM + "\"")
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError(401, message, "Authorization"))
                .build();
    }

    private static String fromHeader(String header) {
        if (header == null) return null;
        int space = header.indexOf(' ');
        if (space <= 0 || !header.substring(0, space).equalsIgnoreCase("Bearer")) return null;
        return header.substring(space + 1).trim();
    }
}
