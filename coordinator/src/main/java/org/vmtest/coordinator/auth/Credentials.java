package org.vmtest.coordinator.auth;

/** What a request presented to prove who it is. */
public sealed interface Credentials {
    /** {@code Authorization: Bearer <token>}: every request may present one. */
    record BearerToken(String token) implements Credentials {
    }

    /**
     * {@code ?ticket=} on the event stream of {@code runId} only: a browser's {@code EventSource} cannot send headers,
     * and a token must never travel in a URL (URLs end up in request logs, proxies and browser history).
     */
    record EventTicket(String runId, String ticket) implements Credentials {
    }
}
