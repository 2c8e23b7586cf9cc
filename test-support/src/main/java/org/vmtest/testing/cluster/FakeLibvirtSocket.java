package org.vmtest.testing.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stand-in for a worker host's libvirt daemon going away, which a test cannot cause for real on a host others
 * share: a Unix socket that relays every byte to the real libvirtd socket until {@link #cut()}, which closes every
 * relayed connection and refuses new ones. A worker configured with {@link #uri()} talks to the real libvirt through
 * it; after the cut it sees what it would see if libvirtd died, and after {@link #restore()} what it would see once
 * libvirtd is back.
 */
public final class FakeLibvirtSocket implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FakeLibvirtSocket.class);
    private static final Path REAL_SOCKET = Path.of("/var/run/libvirt/libvirt-sock");

    private final Path path;
    private volatile ServerSocketChannel server;
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
    private volatile boolean cut;

    public FakeLibvirtSocket(Path path) {
        this.path = path;
        listen();
    }

    private void listen() {
        try {
            Files.deleteIfExists(path);
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + path, e);
        }
        ServerSocketChannel listening = server;
        Thread acceptor = new Thread(() -> accept(listening), "fake-libvirt-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The libvirt URI that goes through this socket. */
    public String uri() {
        return "qemu+unix:///system?socket=" + path;
    }

    /** libvirtd "dies": every connection through here is closed, new ones are refused. */
    public synchronized void cut() {
        cut = true;
        closeQuietly(server);
        open.forEach(FakeLibvirtSocket::closeQuietly);
        LOG.info("libvirt connections through {} cut ({} open)", path, open.size());
    }

    /** libvirtd is back: new connections are relayed again (the cut ones stay closed, as after a real restart). */
    public synchronized void restore() {
        if (!cut) return;
        open.clear();
        cut = false;
        listen();
        LOG.info("libvirt connections through {} accepted again", path);
    }

    @Override
    public void close() {
        cut();
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", path, e.toString());
        }
    }

    private void accept(ServerSocketChannel server) {
        while (!cut && server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                SocketChannel upstream = SocketChannel.open(UnixDomainSocketAddress.of(REAL_SOCKET));
                open.add(client);
                open.add(upstream);
                relay(client, upstream, "fake-libvirt-up");
                relay(upstream, client, "fake-libvirt-down");
            } catch (IOException e) {
                if (!cut) LOG.warn("fake libvirt socket: {}", e.toString());
                return;
            }
        }
    }

    private void relay(SocketChannel from, SocketChannel to, String name) {
        Thread t = new Thread(() -> {
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            try {
                while (from.read(buffer) >= 0) {
                    buffer.flip();
                    while (buffer.hasRemaining()) to.write(buffer);
                    buffer.clear();
                }
            } catch (IOException e) {
                // the other direction closed, or cut(): either way this connection is over
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing is all that is left to do
        }
    }
}
