package org.vmtest.worker.artifacts;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * The hosts a worker downloads artifacts from ({@code artifactHosts}): exact names ({@code ci.example.com}) or
 * every subdomain of one ({@code *.example.com}); an empty list allows any host. Checked for the URL and for every
 * redirect, because whoever can write the jobs topic chooses the URL.
 */
public final class HostAllowList {
    private final List<String> patterns;

    public HostAllowList(List<String> patterns) {
        this.patterns = patterns == null ? List.of()
                : patterns.stream().map(p -> p.strip().toLowerCase(Locale.ROOT)).filter(p -> !p.isEmpty()).toList();
        for (String p : this.patterns) {
            if (p.contains("/") || p.contains(":") || (p.contains("*") && !p.startsWith("*."))
                    || p.indexOf('*', 1) >= 0) {
                throw new IllegalArgumentException("artifactHosts: '" + p + "' is not a host name or *.domain");
            }
        }
    }

    public boolean allowsAny() {
        return patterns.isEmpty();
    }

    public boolean allows(String host) {
        if (patterns.isEmpty()) return true;
        if (host == null) return false;
        String h = host.toLowerCase(Locale.ROOT);
        for (String p : patterns) {
            if (p.startsWith("*.") ? h.endsWith(p.substring(1)) : h.equals(p)) return true;
        }
        return false;
    }

    void check(URI uri) throws ArtifactException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new ArtifactException(ArtifactException.Problem.HOST_NOT_ALLOWED,
                    "only http and https are fetched, not " + uri.getScheme() + " (" + Urls.safe(uri) + ")");
        }
        if (!allows(uri.getHost())) {
            throw new ArtifactException(ArtifactException.Problem.HOST_NOT_ALLOWED, "host " + uri.getHost()
                    + " is not in this worker's artifactHosts " + patterns);
        }
    }
}
