package org.vmtest.coordinator.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenAuthenticatorTest {
    private final TokenAuthenticator auth = new TokenAuthenticator(new AuthFactory()
            .addToken("ci", "s3cret-submit", Set.of(Scope.SUBMIT))
            .addToken("viewer", "s3cret-read", Set.of(Scope.READ))
            .addToken("unset", "", Set.of(Scope.SUBMIT)));

    @Test
    void aKnownTokenIsItsCallerWithItsScopes() {
        assertThat(auth.authenticate("s3cret-submit")).hasValueSatisfying(c -> {
            assertThat(c.name()).isEqualTo("ci");
            assertThat(c.may(Scope.SUBMIT)).isTrue();
            assertThat(c.may(Scope.READ)).as("submit implies read").isTrue();
        });
        assertThat(auth.authenticate("s3cret-read")).hasValueSatisfying(c -> assertThat(c.may(Scope.SUBMIT)).isFalse());
    }

    @Test
    void unknownAndEmptyTokensAreNobody() {
        assertThat(auth.tokenCount()).isEqualTo(2);
        assertThat(auth.authenticate("")).isEmpty();
        assertThat(auth.authenticate("s3cret-submi")).isEmpty();
        assertThat(auth.authenticate("s3cret-submit ")).isEmpty();
    }
}
