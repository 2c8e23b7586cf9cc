package org.vmtest.worker.artifacts;

import java.net.URI;

/** URLs as messages may show them: a user-info part ({@code https://user:token@host/}) and the query are secrets. */
final class Urls {
    private Urls() {
    }

    static String safe(URI uri) {
        String host = uri.getHost() == null ? "" : uri.getHost();
        String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        return uri.getScheme() + "://" + host + port + path + (uri.getRawQuery() == null ? "" : "?…");
    }
}
