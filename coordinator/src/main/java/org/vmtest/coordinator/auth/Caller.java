package org.vmtest.coordinator.auth;

import java.security.Principal;
import java.util.Set;

/** Who made a request: the name of the token it presented and that token's scopes. */
public record Caller(String name, Set<String> scopes) implements Principal {
    public static final Caller ANYONE = new Caller("anyone", Set.of(Scope.SUBMIT, Scope.READ));

    public Caller {
        scopes = Set.copyOf(scopes);
    }

    @Override
    public String getName() {
        return name;
    }

    public boolean may(String scope) {
        return scopes.contains(scope) || (Scope.READ.equals(scope) && scopes.contains(Scope.SUBMIT));
    }
}
