package org.vmtest.coordinator.resources;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import org.vmtest.coordinator.api.EventTicket;
import org.vmtest.coordinator.api.Run;
import org.vmtest.coordinator.api.RunList;
import org.vmtest.coordinator.api.RunStatus;
import org.vmtest.coordinator.api.SubmitRun;
import org.vmtest.coordinator.auth.Caller;
import org.vmtest.coordinator.auth.EventTickets;
import org.vmtest.coordinator.auth.Scope;
import org.vmtest.coordinator.core.ApiException;
import org.vmtest.coordinator.core.RunService;
import org.vmtest.coordinator.state.EventHub;
import org.vmtest.protocol.jobs.Profile;

/** {@code /api/v1/runs}: submit, list, read, cancel and follow runs. */
@Path("v1/runs")
@Produces(MediaType.APPLICATION_JSON)
public final class RunsResource {
    public static final String KEEP_ALIVE = "keep-alive";
    private final RunService runs;
    private final EventHub events;
    private final EventTickets tickets;
    private final StreamQuota quota;
    private final Executor closer;
    private final Set<SseEventSink> openStreams = ConcurrentHashMap.newKeySet();
    private final ObjectMapper mapper;

    /**
     * @param streamsPerToken event streams one token may hold open at once
     * @param closer          closes the streams of clients that were dropped
     */
    public RunsResource(RunService runs, EventHub events, EventTickets tickets, ObjectMapper mapper,
                        int streamsPerToken, Executor closer) {
        this.runs = runs;
        this.quota = new StreamQuota(streamsPerToken);
        this.closer = closer;
        this.events = events;
        this.tickets = tickets;
        this.mapper = mapper;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Scope.SUBMIT)
    public Response submit(@NotNull(message = "a JSON body is required") @Valid SubmitRun request) {
        Run run = runs.submit(request);
        return Response.created(URI.create("/api/v1/runs/" + run.id())).entity(run).build();
    }

    @GET
    @RolesAllowed(Scope.READ)
    public RunList list(@QueryParam("state") String state, @QueryParam("label") List<String> labels,
                        @QueryParam("limit") String limit, @QueryParam("offset") String offset) {
        return runs.list(parseState(state), parseLabels(labels), parseInt(limit, "limit", 50, 1, RunService.MAX_LIMIT),
                parseInt(offset, "offset", 0, 0, Integer.MAX_VALUE));
    }

    @GET
    @Path("{id}")
    @RolesAllowed(Scope.READ)
    public Run get(@PathParam("id") String id) {
        return runs.get(id);
    }

    /** The profile the run's jobs run under this name: variables substituted, secret values as {@code ***}. */
    @GET
    @Path("{id}/profiles/{name}")
    @RolesAllowed(Scope.READ)
    public Profile profile(@PathParam("id") String id, @PathParam("name") String name) {
        return runs.profile(id, name);
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed(Scope.SUBMIT)
    public Response cancel(@PathParam("id") String id, @QueryParam("reason") String reason) {
        return Response.accepted(runs.cancel(id, reason)).build();
    }

    /**
     * A ticket for {@link #events}, for clients that cannot send an {@code Authorization} header (a browser's
     * {@code EventSource}): it opens this run's event stream only, read-only, for {@link EventTickets#VALIDITY}.
     */
    @POST
    @Path("{id}/events/ticket")
    @RolesAllowed(Scope.READ)
    public EventTicket ticket(@PathParam("id") String id, @Context SecurityContext security) {
        runs.get(id);
        EventTickets.Issued issued = tickets.issue((Caller) security.getUserPrincipal(), id);
        return new EventTicket(issued.ticket(), issued.expiresAt(),
                "/api/v1/runs/" + id + "/events?ticket=" + issued.ticket());
    }

    /**
     * Server-Sent Events of one run: {@code run} (its new state), {@code job-started}, {@code phase}, {@code test},
     * {@code job-finished}, {@code line}, {@code finding}, {@code thought}, {@code job-verdict}, {@code run-verdict}.
     * Each event's id is its Kafka position; reconnect with {@code Last-Event-ID} (or {@code ?lastEventId=}, for an
     * {@code EventSource} opened anew with a fresh ticket) to get what was missed.
     */
    @GET
    @Path("{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RolesAllowed(Scope.READ)
    public void events(@PathParam("id") String id, @HeaderParam("Last-Event-ID") String lastEventHeader,
                       @QueryParam("lastEventId") String lastEventQuery, @Context SseEventSink sink, @Context Sse sse,
                       @Context SecurityContext security) {
        runs.get(id);
        String lastEventId = lastEventHeader != null ? lastEventHeader : lastEventQuery;
        String token = security.getUserPrincipal().getName();
        quota.acquire(token);
        openStreams.add(sink);
        try {
            events.subscribe(id, lastEventId, event -> send(sink, sse, event), () -> {
                quota.release(token);
                openStreams.remove(sink);
                // Never on the publisher's thread: closing a stalled client's stream may wait for its connection.
                closer.execute(() -> close(sink));
            });
        } catch (RuntimeException e) {
            quota.release(token);
            openStreams.remove(sink);
            throw e;
        }
    }

    private boolean send(SseEventSink sink, Sse sse, EventHub.Event event) {
        if (sink.isClosed()) return false;
        try {
            sink.send(toSse(sse, event)).toCompletableFuture().get();
            return true;
        } catch (ExecutionException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void close(SseEventSink sink) {
        try {
            sink.close();
        } catch (RuntimeException e) {
            // a stream whose client is gone cannot be closed more
        }
    }

    /**
     * Ends every open event stream. Called when the server begins to stop: an event stream never ends by itself,
     * so each one would hold the graceful shutdown for its whole grace period; ended, its client reconnects (to
     * another coordinator) with Last-Event-ID and misses nothing.
     */
    public void closeEventStreams() {
        for (SseEventSink sink : openStreams) {
            close(sink);
            openStreams.remove(sink);
        }
    }

    private OutboundSseEvent toSse(Sse sse, EventHub.Event event) {
        if (KEEP_ALIVE.equals(event.name())) return sse.newEventBuilder().comment(KEEP_ALIVE).build();
        try {
            return sse.newEventBuilder().id(event.id()).name(event.name())
                    .mediaType(MediaType.APPLICATION_JSON_TYPE)
                    .data(String.class, mapper.writeValueAsString(event.data())).build();
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static RunStatus parseState(String state) {
        if (state == null || state.isEmpty()) return null;
        try {
            return RunStatus.valueOf(state.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("state must be one of " + List.of(RunStatus.values()) + ", got '" + state + "'", "state");
        }
    }

    private static Map<String, String> parseLabels(List<String> labels) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String label : labels) {
            int colon = label.indexOf(':');
            if (colon <= 0) throw ApiException.badRequest("label must be key:value, got '" + label + "'", "label");
            out.put(label.substring(0, colon), label.substring(colon + 1));
        }
        return out;
    }

    private static int parseInt(String value, String field, int fallback, int min, int max) {
        if (value == null || value.isEmpty()) return fallback;
        try {
            int n = Integer.parseInt(value);
            if (n < min || n > max) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(field + " must be a whole number from " + min + " to " + max + ", got '" + value + "'", field);
        }
    }

}
