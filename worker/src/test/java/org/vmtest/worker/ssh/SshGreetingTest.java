package org.vmtest.worker.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SshGreeting} against a real listening socket that behaves as QEMU's user-mode port forward does: it accepts
 * every connection at once, and a connection made before the guest's server was up stays silent for good (its SYN
 * waits in QEMU's retransmission).
 */
class SshGreetingTest {
    private static final byte[] GREETING = "SSH-2.0-dropbear_2022.83\r\n".getBytes(StandardCharsets.US_ASCII);

    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private ServerSocket server;

    @AfterEach
    void close() throws IOException {
        for (Socket s : accepted) s.close();
        if (server != null) server.close();
    }

    /** Accepts connections; those accepted at or after {@code readyAtNanos} are greeted after {@code greetDelayMillis}. */
    private InetSocketAddress forward(long readyAtNanos, long greetDelayMillis, AtomicInteger greeted) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    accepted.add(s);
                    if (System.nanoTime() < readyAtNanos) continue; // silent for good
                    new Thread(() -> {
                        try {
                            Thread.sleep(greetDelayMillis);
                            OutputStream out = s.getOutputStream();
                            greeted.incrementAndGet(); // before the prober can read it and return
                            out.write(GREETING);
                            out.flush();
                        } catch (IOException | InterruptedException e) {
                            // the prober hung up first
                        }
                    }).start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "fake-port-forward");
        t.setDaemon(true);
        t.start();
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    @Test
    void aServerThatComesUpIsSeenAlthoughTheConnectionsMadeBeforeStaySilent() throws Exception {
        long t0 = System.nanoTime();
        long ready = t0 + TimeUnit.MILLISECONDS.toNanos(500);
        AtomicInteger greeted = new AtomicInteger();
        InetSocketAddress address = forward(ready, 0, greeted);
        // the deadline comes before the slow connection is replaced: only new quick connections can see the server
        long deadline = t0 + SshGreeting.SLOW_WAIT.toNanos() - TimeUnit.MILLISECONDS.toNanos(100);

        assertThat(SshGreeting.await(address, deadline, () -> false)).isTrue();
        assertThat(greeted.get()).isPositive();
        assertThat(accepted.size()).as("connections made").isGreaterThan(2);
    }

    @Test
    void aServerSlowerToGreetThanTheQuickWaitIsSeenByTheSlowConnection() throws Exception {
        AtomicInteger greeted = new AtomicInteger();
        long greetDelay = SshGreeting.QUICK_WAIT.toMillis() + 500;
        InetSocketAddress address = forward(0, greetDelay, greeted);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        assertThat(SshGreeting.await(address, deadline, () -> false)).isTrue();
    }

    @Test
    void aServerThatNeverGreetsIsNotTakenForOne() throws Exception {
        InetSocketAddress address = forward(Long.MAX_VALUE, 0, new AtomicInteger());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(800);

        assertThat(SshGreeting.await(address, deadline, () -> false)).isFalse();
        assertThat(accepted.size()).as("at most two connections at a time, replaced as they stay silent")
                .isBetween(2, 12);
    }

    @Test
    void aCancelledWaitEnds() throws Exception {
        InetSocketAddress address = forward(Long.MAX_VALUE, 0, new AtomicInteger());
        AtomicInteger checks = new AtomicInteger();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);

        assertThat(SshGreeting.await(address, deadline, () -> checks.incrementAndGet() > 3)).isFalse();
    }
}
