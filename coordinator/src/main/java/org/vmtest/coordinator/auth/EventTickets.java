package org.vmtest.coordinator.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Short-lived tickets for one run's event stream, issued to a caller who presented a token in the
 * {@code Authorization} header. A ticket is {@code payload.signature}: the payload names the run, the expiry and the
 * token's name; the signature is an HMAC keyed with the digest of that token. So a ticket needs no shared state
 * (any coordinator configured with the same token accepts it), it is useless for anything but reading that run's
 * events until it expires, and it cannot be made without the token.
 */
public final class EventTickets {
    /** Long enough for the page to open the stream, short enough that a ticket seen in a log is already dead. */
    public static final Duration VALIDITY = Duration.ofSeconds(60);
    private static final String PURPOSE = "vmtest event-stream ticket\n";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    /** A ticket and when it stops opening streams. */
    public record Issued(String ticket, Instant expiresAt) {
    }

    private final TokenAuthenticator tokens;
    private final byte[] keyWithoutAuth;
    private final Clock clock;

    /** @param keyWithoutAuth signs tickets for callers without a token (auth disabled) */
    public EventTickets(TokenAuthenticator tokens, byte[] keyWithoutAuth, Clock clock) {
        this.tokens = tokens;
        this.keyWithoutAuth = keyWithoutAuth.clone();
        this.clock = clock;
    }

    public Issued issue(Caller caller, String runId) {
        Instant expires = clock.instant().plus(VALIDITY);
        String payload = runId + "\n" + expires.getEpochSecond() + "\n" + caller.name();
        byte[] key = tokens.keysOf(caller.name()).stream().findFirst().orElse(keyWithoutAuth);
        String ticket = B64.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + B64.encodeToString(sign(key, payload));
        return new Issued(ticket, expires);
    }

    /** The caller a valid, unexpired ticket for {@code runId} stands for, with the read scope only. */
    public Optional<Caller> verify(String runId, String ticket) {
        int dot = ticket.indexOf('.');
        if (dot <= 0) return Optional.empty();
        String payload;
        byte[] signature;
        try {
            payload = new String(B64D.decode(ticket.substring(0, dot)), StandardCharsets.UTF_8);
            signature = B64D.decode(ticket.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String[] parts = payload.split("\n", 3);
        if (parts.length != 3 || !parts[0].equals(runId) || expired(parts[1])) return Optional.empty();
        String name = parts[2];
        boolean valid = false;
        for (byte[] key : tokens.keysOf(name)) valid |= MessageDigest.isEqual(sign(key, payload), signature);
        if (Caller.ANYONE.name().equals(name)) valid |= MessageDigest.isEqual(sign(keyWithoutAuth, payload), signature);
        return valid ? Optional.of(new Caller(name, Set.of(Scope.READ))) : Optional.empty();
    }

    private boolean expired(String epochSeconds) {
        try {
            return !clock.instant().isBefore(Instant.ofEpochSecond(Long.parseLong(epochSeconds)));
        } catch (NumberFormatException e) {
            return true;
        }
    }

    private static byte[] sign(byte[] key, String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal((PURPOSE + payload).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM has HmacSHA256", e);
        }
    }
}
