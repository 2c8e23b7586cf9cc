package org.vmtest.coordinator.auth;

import io.dropwizard.auth.Authenticator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the token a request presented. Compares SHA-256 digests with {@link MessageDigest#isEqual} against every
 * configured token, without stopping at a match, so the time taken says nothing about any token.
 */
public final class TokenAuthenticator implements Authenticator<String, Caller> {
    private static final Logger LOG = LoggerFactory.getLogger(TokenAuthenticator.class);

    private record Known(byte[] digest, Caller caller) {
    }

    private final List<Known> known;

    public TokenAuthenticator(AuthFactory config) {
        this.known = config.tokens().stream()
                .filter(t -> {
                    if (t.token().isBlank()) LOG.warn("auth token '{}' is empty and is ignored", t.name());
                    return !t.token().isBlank();
                })
                .map(t -> new Known(sha256(t.token()), new Caller(t.name(), t.scopes())))
                .toList();
    }

    public int tokenCount() {
        return known.size();
    }

    /** The secrets behind the tokens named {@code name} (their digests), to sign and check event tickets with. */
    List<byte[]> keysOf(String name) {
        return known.stream().filter(k -> k.caller().name().equals(name)).map(k -> k.digest().clone()).toList();
    }

    @Override
    public Optional<Caller> authenticate(String token) {
        byte[] presented = sha256(token);
        Caller match = null;
        for (Known k : known) {
            if (MessageDigest.isEqual(k.digest(), presented) && match == null) match = k.caller();
        }
        return Optional.ofNullable(match);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
