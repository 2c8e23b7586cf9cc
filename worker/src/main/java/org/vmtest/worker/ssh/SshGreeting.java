package org.vmtest.worker.ssh;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Waits until an SSH server greets on a port: it sends its identification line ({@code SSH-2.0-…}) as soon as a
 * connection is accepted, before any key exchange, so reading it is a cheap and certain sign that a full login can
 * now succeed.
 *
 * <p>Why not just try to log in: a guest's port is QEMU's user-mode forward, which accepts the host's connection at
 * once whether or not the guest listens, then sends a SYN into the guest. While the guest has no network yet, that
 * SYN waits for QEMU's own TCP retransmission (seconds apart), so a login attempt begun during the boot sat silent
 * for seconds after the server came up. Here a connection that has said nothing for {@link #QUICK_WAIT} is dropped
 * and a new one (a new SYN) made, every {@link #INTERVAL} at most; a refused or closed one is retried at the same
 * pace. One slow connection stays open beside them for up to {@link #SLOW_WAIT}, so that a guest whose server takes
 * longer than {@link #QUICK_WAIT} to greet (a starved TCG guest) is still seen. At most two connections are open at
 * once: an SSH server limits unauthenticated connections per client address (dropbear: 5).
 */
final class SshGreeting {
    static final Duration INTERVAL = Duration.ofMillis(100);
    static final Duration QUICK_WAIT = Duration.ofMillis(300);
    static final Duration SLOW_WAIT = Duration.ofSeconds(2);
    private static final int MAX_PREFIX = 8192;

    private SshGreeting() {
    }

    /**
     * @param cancelled checked between waits (at least every {@link #QUICK_WAIT})
     * @return true once a server greeted; false at the deadline or when cancelled
     */
    static boolean await(InetSocketAddress address, long deadlineNanos, BooleanSupplier cancelled)
            throws InterruptedException {
        try (Selector selector = Selector.open()) {
            Probe quick = null;
            Probe slow = null;
            long nextQuick = System.nanoTime();
            long nextSlow = nextQuick;
            try {
                while (!cancelled.getAsBoolean()) {
                    long now = System.nanoTime();
                    if (now >= deadlineNanos) return false;
                    if (slow == null && now >= nextSlow) {
                        slow = Probe.open(selector, address, now + SLOW_WAIT.toNanos());
                        nextSlow = now + INTERVAL.toNanos();
                    }
                    if (quick == null && now >= nextQuick) {
                        quick = Probe.open(selector, address, now + QUICK_WAIT.toNanos());
                        nextQuick = now + INTERVAL.toNanos();
                    }
                    long wake = Math.min(deadlineNanos, slow != null ? slow.expiresNanos : nextSlow);
                    wake = Math.min(wake, quick != null ? quick.expiresNanos : nextQuick);
                    selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wake - now) + 1));
                    if (Thread.interrupted()) throw new InterruptedException();
                    for (SelectionKey key : selector.selectedKeys()) {
                        if (((Probe) key.attachment()).advance(key)) return true;
                    }
                    selector.selectedKeys().clear();
                    now = System.nanoTime();
                    if (quick != null && (quick.done || now >= quick.expiresNanos)) {
                        quick.close();
                        quick = null;
                    }
                    if (slow != null && (slow.done || now >= slow.expiresNanos)) {
                        slow.close();
                        slow = null;
                    }
                }
                return false;
            } finally {
                if (quick != null) quick.close();
                if (slow != null) slow.close();
            }
        } catch (IOException e) {
            // no selector: the caller's login attempts decide instead
            return true;
        }
    }

    /** One connection: connect, then read until the identification line, an end, or its time is up. */
    private static final class Probe {
        private final SocketChannel channel;
        private final long expiresNanos;
        private final ByteBuffer received = ByteBuffer.allocate(MAX_PREFIX);
        private boolean done;

        private Probe(SocketChannel channel, long expiresNanos) {
            this.channel = channel;
            this.expiresNanos = expiresNanos;
        }

        static Probe open(Selector selector, InetSocketAddress address, long expiresNanos) {
            SocketChannel channel = null;
            try {
                channel = SocketChannel.open();
                channel.configureBlocking(false);
                Probe p = new Probe(channel, expiresNanos);
                boolean connected = channel.connect(address);
                channel.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, p);
                return p;
            } catch (IOException e) {
                Probe failed = new Probe(channel, expiresNanos);
                failed.done = true;
                return failed;
            }
        }

        /** @return whether the server's identification line has arrived */
        boolean advance(SelectionKey key) {
            try {
                if (key.isConnectable()) {
                    channel.finishConnect();
                    key.interestOps(SelectionKey.OP_READ);
                    return false;
                }
                if (key.isReadable()) {
                    if (channel.read(received) < 0) {
                        done = true;
                        return false;
                    }
                    if (greeted()) return true;
                    if (!received.hasRemaining()) done = true; // not an SSH server, or not yet: try again
                }
            } catch (IOException e) {
                done = true;
            }
            return false;
        }

        /** RFC 4253 4.2: the server may send other lines first; the one that counts starts with "SSH-". */
        private boolean greeted() {
            String text = new String(received.array(), 0, received.position(), StandardCharsets.ISO_8859_1);
            return text.startsWith("SSH-") || text.contains("\nSSH-");
        }

        void close() {
            if (channel == null) return;
            try {
                channel.close();
            } catch (IOException e) {
                // closing a probe: nothing to do
            }
        }
    }
}
