package org.vmtest.worker.ssh;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.vmtest.worker.stream.LineAssembler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SSH into one job's guest: waits for the guest's server to answer, then runs commands with their output
 * streamed line by line as it arrives. One per job; the {@link SshClient} underneath is the worker's, shared.
 */
public final class GuestSsh implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GuestSsh.class);

    private final SshClient client;
    private final String user;
    private final int port;
    private final KeyPair keys;
    private final Duration retryInterval;
    private final Duration attemptTimeout;
    private volatile ClientSession session;
    private volatile boolean closed;

    public GuestSsh(SshClient client, String user, int port, KeyPair keys, Duration retryInterval, Duration attemptTimeout) {
        this.client = client;
        this.user = user;
        this.port = port;
        this.keys = keys;
        this.retryInterval = retryInterval;
        this.attemptTimeout = attemptTimeout;
    }

    /**
     * The worker's SSH client. Host keys are not checked: each test VM is created for one job, makes a new host
     * key at every boot and is reached only through a port forward on 127.0.0.1 that this worker's own QEMU
     * process owns, so there is no known host key to compare with and no network path to intercept.
     */
    public static SshClient newClient() {
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        client.start();
        return client;
    }

    /**
     * Tries to log in until the guest answers or the deadline passes. Each login attempt waits until the guest's
     * server has greeted ({@link SshGreeting}, polled every 100 ms): a booting guest is seen within a fraction of a
     * second of its server starting, and no full login is spent on a guest that is not there yet.
     *
     * @return true when logged in
     */
    public boolean connect(long deadlineNanos) throws InterruptedException {
        int attempts = 0;
        String last = "no attempt";
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        while (!closed && System.nanoTime() < deadlineNanos) {
            if (!SshGreeting.await(address, deadlineNanos, () -> closed)) {
                last = "the server never greeted";
                break;
            }
            attempts++;
            long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
            long attemptMillis = Math.max(100, Math.min(attemptTimeout.toMillis(), left));
            ClientSession s = null;
            try {
                s = client.connect(user, "127.0.0.1", port).verify(attemptMillis).getSession();
                s.addPublicKeyIdentity(keys);
                s.auth().verify(attemptMillis);
                session = s;
                if (closed) s.close(true);
                LOG.debug("ssh {}@127.0.0.1:{} after {} attempts", user, port, attempts);
                return !closed;
            } catch (IOException | RuntimeException e) {
                last = e.getMessage();
                if (attempts % 20 == 0) LOG.info("ssh {}@127.0.0.1:{} attempt {}: {}", user, port, attempts, last);
                if (s != null) s.close(true);
            }
            long pause = Math.min(retryInterval.toMillis(), TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
            if (pause > 0) Thread.sleep(pause);
        }
        LOG.debug("ssh {}@127.0.0.1:{} not reached after {} attempts: {}", user, port, attempts, last);
        return false;
    }

    /** Drops the current session (the guest is about to reboot); {@link #connect} opens a new one. */
    public void disconnect() {
        ClientSession s = session;
        session = null;
        if (s != null) s.close(true);
    }

    /**
     * Runs one command. Its stdout and stderr go to the assemblers as the bytes arrive; both are finished (their
     * last unterminated line handed on) before this returns.
     */
    public ExecResult exec(String command, Duration timeout, LineAssembler stdout, LineAssembler stderr) {
        ClientSession s = session;
        long t0 = System.nanoTime();
        if (s == null || !s.isOpen()) return new ExecResult(-1, false, 0, "not connected");
        try (ChannelExec channel = s.createExecChannel(command)) {
            channel.setOut(new AssemblerStream(stdout));
            channel.setErr(new AssemblerStream(stderr));
            channel.open().verify(attemptTimeout.toMillis());
            Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), timeout.toMillis());
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            if (events.contains(ClientChannelEvent.TIMEOUT)) {
                channel.close(true);
                return new ExecResult(-1, true, took, "timed out after " + timeout.toSeconds() + " s");
            }
            Integer status = channel.getExitStatus();
            String signal = channel.getExitSignal();
            if (status == null) {
                return new ExecResult(-1, false, took, signal != null ? "killed by signal " + signal : "connection lost");
            }
            return new ExecResult(status, false, took, "");
        } catch (IOException | RuntimeException e) {
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            return new ExecResult(-1, false, took, "ssh: " + e.getMessage());
        } finally {
            synchronized (stdout) {
                stdout.finish();
            }
            synchronized (stderr) {
                stderr.finish();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        disconnect();
    }

    /** Feeds an assembler from MINA's I/O thread; the lock keeps it consistent with the final {@code finish}. */
    private static final class AssemblerStream extends OutputStream {
        private final LineAssembler assembler;

        AssemblerStream(LineAssembler assembler) {
            this.assembler = assembler;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (assembler) {
                assembler.feed(b, off, len);
            }
        }
    }
}
