package org.vmtest.worker.vm;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Free TCP ports on 127.0.0.1 for the guests' SSH forwards. The kernel picks a free one; the port is held back
 * in this JVM until released, so two VMs started at the same moment never get the same one.
 */
final class PortAllocator {
    private static final Set<Integer> HELD = new HashSet<>();

    private PortAllocator() {
    }

    static synchronized int take() throws VmStartException {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = s.getLocalPort();
                if (HELD.add(port)) return port;
            } catch (IOException e) {
                throw new VmStartException("no free local port for SSH: " + e.getMessage(), e);
            }
        }
        throw new VmStartException("no free local port for SSH after 20 tries");
    }

    static synchronized void release(int port) {
        HELD.remove(port);
    }
}
