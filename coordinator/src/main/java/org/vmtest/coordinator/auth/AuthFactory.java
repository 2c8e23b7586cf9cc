package org.vmtest.coordinator.auth;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Bearer tokens, under {@code auth:} in the config. Tokens usually come from the environment
 * ({@code token: ${VMTEST_SUBMIT_TOKEN:-}}); a token left empty is ignored, so an unset variable disables it
 * rather than allowing an empty token.
 */
public class AuthFactory {
    /** One token and what it may do. {@code name} appears in logs, never the token. */
    public static class TokenEntry {
        @NotNull
        @JsonProperty
        private String name = "token";
        @JsonProperty
        private String token = "";
        @NotNull
        @JsonProperty
        private Set<@Pattern(regexp = "submit|read") String> scopes = Set.of(Scope.READ);

        public TokenEntry() {
        }

        public TokenEntry(String name, String token, Set<String> scopes) {
            this.name = name;
            this.token = token;
            this.scopes = Set.copyOf(scopes);
        }

        public String name() {
            return name;
        }

        public String token() {
            return token == null ? "" : token;
        }

        public Set<String> scopes() {
            return scopes;
        }
    }

    /** false: every request may do everything (local development only). */
    @JsonProperty
    private boolean enabled = true;

    @Valid
    @NotNull
    @JsonProperty
    private List<TokenEntry> tokens = new ArrayList<>();

    public boolean enabled() {
        return enabled;
    }

    public AuthFactory enabled(boolean value) {
        this.enabled = value;
        return this;
    }

    public List<TokenEntry> tokens() {
        return tokens;
    }

    public AuthFactory addToken(String name, String token, Set<String> scopes) {
        tokens.add(new TokenEntry(name, token, scopes));
        return this;
    }
}
