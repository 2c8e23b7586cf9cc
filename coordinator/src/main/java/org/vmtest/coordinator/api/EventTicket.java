package org.vmtest.coordinator.api;

import java.time.Instant;

/** A ticket to open one run's event stream: {@code GET events?ticket=...} before {@code expiresAt}. */
public record EventTicket(String ticket, Instant expiresAt, String events) {
}
