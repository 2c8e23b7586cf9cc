package org.vmtest.worker.jobs;

import java.io.IOException;
import java.time.Duration;
import java.util.regex.Pattern;
import org.vmtest.worker.ssh.ExecResult;
import org.vmtest.worker.stream.LineAssembler;
import org.vmtest.worker.vm.VmStartException;

/**
 * The phase script's view of one guest: its power, its serial console, its SSH server. The script only says what to do; how (libvirt,
 * MINA SSHD) is the implementation's business, so the script can be tested against a fake guest.
 *
 * <p>The job thread calls everything but {@link #pause()}, {@link #destroy()} and {@link #hangUp()}, which an
 * {@link AbortHandle} calls from any thread, at any time, also before {@link #powerOn()} returned.
 */
public interface GuestSession extends AutoCloseable {

    /**
     * Creates and starts the guest.
     *
     * @return a few words on what started, for the job's log ("domain vmtest-… started (tcg)")
     */
    String powerOn() throws VmStartException;

    /** After {@link #powerOn()}: the public key the guest must trust, as an {@code authorized_keys} line. */
    String publicKey();

    /** Where the guest's SSH server is reached ("127.0.0.1:2222"), empty without one. */
    String sshAddress();

    /**
     * Ends a {@link #powerOn()} that has not created its guest yet (it is fetching the job's artifacts) at once,
     * with a {@link VmStartException}; one not yet begun does not begin. Any thread, any time; after the guest exists
     * it does nothing (then {@link #pause()} and {@link #destroy()} stop it).
     */
    default void stopStarting() {
    }

    /** Of PROVISIONING, the milliseconds {@link #powerOn()} spent getting the job's artifacts; 0 for none. */
    default long artifactFetchMillis() {
        return 0;
    }

    /** Whether {@link #powerOn()} succeeded: there is a guest to pause or destroy. */
    boolean poweredOn();

    /** Stops the guest's CPUs now. @return whether it is stopped (paused, or gone already) */
    boolean pause();

    /** Pulls the plug. Idempotent. @return whether the guest is gone */
    boolean destroy();

    boolean isDestroyed();

    /**
     * Tries to log in over SSH until the guest answers or {@code within} has passed.
     *
     * @return whether logged in
     */
    boolean connectSsh(Duration within) throws InterruptedException;

    /** Drops the current SSH session (the guest is about to reboot); {@link #connectSsh} opens a new one. */
    void disconnectSsh();

    /** Closes SSH and the console waits for good: what waits returns at once, and no later connect succeeds. */
    void hangUp();

    /** Types {@code text} on the serial console. */
    void typeOnConsole(String text) throws IOException;

    /**
     * Waits until {@code pattern} matches what the console printed since the previous match.
     *
     * @return whether it matched within {@code within}
     */
    boolean awaitConsole(Pattern pattern, Duration within) throws InterruptedException;

    /** Runs one command over SSH; its output goes to the assemblers, both finished when this returns. */
    ExecResult exec(String command, Duration timeout, LineAssembler stdout, LineAssembler stderr);

    /** Leaves nothing behind: SSH closed, the guest destroyed and every resource of it freed. */
    @Override
    void close();
}
