package org.vmtest.coordinator;

import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.server.ServerFactory;
import io.dropwizard.jetty.HttpConnectorFactory;

/**
 * The admin port (health checks, metrics, tasks such as reloading profiles) answers anyone who reaches it, without a
 * token. Dropwizard binds a connector without {@code bindHost} to every interface; the coordinator binds such an
 * admin connector to the loopback interface instead, so opening it takes a deliberate {@code bindHost}.
 */
final class AdminBinding {
    static final String LOOPBACK = "127.0.0.1";

    private AdminBinding() {
    }

    /** Sets {@code bindHost: 127.0.0.1} on every admin connector that names no host. */
    static void loopbackUnlessSet(ServerFactory server) {
        if (!(server instanceof DefaultServerFactory f)) return;
        f.getAdminConnectors().forEach(c -> {
            if (c instanceof HttpConnectorFactory http && (http.getBindHost() == null || http.getBindHost().isBlank())) {
                http.setBindHost(LOOPBACK);
            }
        });
    }
}
