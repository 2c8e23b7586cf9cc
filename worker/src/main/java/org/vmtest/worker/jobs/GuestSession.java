package org.vmtest.worker.jobs;

import java.time.Duration;
import org.vmtest.worker.ssh.ExecResult;
import org.vmtest.worker.stream.LineAssembler;
import org.vmtest.worker.vm.VmStartException;

/**
 * The phase script's view of one guest: its power, its SSH server. The script only says what to do; how (libvirt,
 * MINA SSHD) is the implementation's business, so the script can be tested against a fake guest.
 *
 * <p>The job thread calls everything but {@link #pause()}, {@link #destroy()} and {@link #cutSsh()}, which an
 * {@link AbortHandle} calls from any thread, at any time, also before {@link #powerOn()} returned.
 */
public interface GuestSession extends AutoCloseable {

    /**
     * Creates and starts the guest.
     *
     * @return a few words on what started, for the job's log ("domain vmtest-… started (tcg)")
     */
    String powerOn() throws VmStartException;

    /** Where the guest's SSH server is reached ("127.0.0.1:2222"), empty without one. */
    String sshAddress();

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

    /** Closes SSH for good: what waits on it returns at once, and no later connect succeeds. */
    void cutSsh();

    /** Runs one command over SSH; its output goes to the assemblers, both finished when this returns. */
    ExecResult exec(String command, Duration timeout, LineAssembler stdout, LineAssembler stderr);

    /** Leaves nothing behind: SSH closed, the guest destroyed and every resource of it freed. */
    @Override
    void close();
}
