package org.vmtest.worker.jobs;

import java.io.IOException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.sshd.client.SshClient;
import org.vmtest.protocol.jobs.ArtifactSpec;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.protocol.jobs.SshSpec;
import org.vmtest.worker.WorkerConfig;
import org.vmtest.worker.artifacts.JobArtifacts;
import org.vmtest.worker.ssh.ExecResult;
import org.vmtest.worker.ssh.GuestSsh;
import org.vmtest.worker.ssh.KeyDirectory;
import org.vmtest.worker.ssh.SshKeys;
import org.vmtest.worker.stream.LineAssembler;
import org.vmtest.worker.vm.AcceleratorProbe;
import org.vmtest.worker.vm.ConsoleListener;
import org.vmtest.worker.vm.PendingDestroys;
import org.vmtest.worker.vm.VirtualMachine;
import org.vmtest.worker.vm.VmLauncher;
import org.vmtest.worker.vm.VmStartException;

/**
 * A job's guest as a libvirt domain (power, console) reached over SSH: with a key made for this job, or with the
 * profile's key from the worker's key directory ({@code ssh.keyDelivery: IDENTITY_FILE}).
 */
final class LibvirtGuestSession implements GuestSession {
    private static final String STOPPED = "stopped while fetching the job's artifacts";
    private final VmLauncher launcher;
    private final Profile profile;
    private final String domainName;
    private final AcceleratorProbe.Result accelerator;
    private final SshClient client;
    private final WorkerConfig.SshSettings sshSettings;
    private final PendingDestroys pendingDestroys;
    private final ConsoleListener console;
    private final ConsoleTranscript transcript = new ConsoleTranscript();
    /** Only a profile with console steps keeps a transcript: the others pay nothing per console chunk. */
    private final boolean watchesConsole;
    private final KeyDirectory keyDir;
    private final String keyComment;
    private final Map<String, ArtifactSpec> artifacts;
    private final Consumer<String> workerLines;
    private KeyPair keys;
    private String publicKey;
    private volatile VirtualMachine vm;
    private volatile GuestSsh ssh;
    private volatile boolean hungUp;
    private volatile long fetchMillis;
    private final Object starting = new Object();
    /** The job thread while it fetches the job's artifacts, to interrupt; guarded by {@link #starting}. */
    private Thread fetcher;
    private boolean stopStarting;

    LibvirtGuestSession(VmLauncher launcher, Profile profile, String domainName, AcceleratorProbe.Result accelerator,
                        SshClient client, WorkerConfig.SshSettings sshSettings, PendingDestroys pendingDestroys,
                        ConsoleListener console, KeyDirectory keyDir, String keyComment,
                        Map<String, ArtifactSpec> artifacts, Consumer<String> workerLines) {
        this.launcher = launcher;
        this.profile = profile;
        this.domainName = domainName;
        this.accelerator = accelerator;
        this.client = client;
        this.sshSettings = sshSettings;
        this.pendingDestroys = pendingDestroys;
        this.console = console;
        this.keyDir = keyDir;
        this.keyComment = keyComment;
        this.artifacts = artifacts;
        this.workerLines = workerLines;
        this.watchesConsole = profile.ssh().keyDelivery() == SshSpec.KeyDelivery.CONSOLE
                || profile.install().stream().anyMatch(step -> step.console() != null)
                || profile.tests().stream().anyMatch(test -> test.console() != null);
    }

    @Override
    public String powerOn() throws VmStartException {
        if (profile.ssh().keyDelivery() == SshSpec.KeyDelivery.IDENTITY_FILE) {
            try {
                keys = keyDir.load(profile.ssh().identityFile());
            } catch (IOException e) {
                throw new VmStartException(e.getMessage());
            }
        } else {
            keys = SshKeys.generate();
        }
        publicKey = SshKeys.openSshPublicLine(keys, keyComment);
        JobArtifacts fetched = fetchArtifacts();
        VirtualMachine started = launcher.launch(profile, fetched, domainName, accelerator.accelerator(), publicKey,
                new ConsoleListener() {
                    @Override
                    public void bytes(byte[] buf, int len) {
                        console.bytes(buf, len);
                        if (watchesConsole) transcript.append(buf, len);
                    }

                    @Override
                    public void ended() {
                        console.ended();
                        transcript.end();
                    }
                });
        if (profile.ssh().keyDelivery() != SshSpec.KeyDelivery.NONE) {
            ssh = new GuestSsh(client, profile.ssh().user(), started.sshPort(), keys,
                    sshSettings.connectRetryInterval(), sshSettings.connectAttemptTimeout());
            if (hungUp) ssh.close();
        }
        vm = started;
        return "domain " + domainName + " started (" + accelerator.wireName() + ")";
    }

    /**
     * Gets the job's artifacts on the job thread, which {@link #stopStarting()} interrupts: an abort or a release
     * while a download runs ends it now rather than when it completes or times out.
     */
    private JobArtifacts fetchArtifacts() throws VmStartException {
        synchronized (starting) {
            if (stopStarting) throw new VmStartException(STOPPED);
            fetcher = Thread.currentThread();
        }
        long t0 = System.nanoTime();
        JobArtifacts fetched;
        try {
            fetched = launcher.fetchArtifacts(profile, artifacts, workerLines);
        } catch (VmStartException | RuntimeException e) {
            // a RuntimeException too: a Kafka send of a progress line may end so when the stop interrupts it
            if (fetchEnded(t0)) {
                Thread.interrupted(); // the interrupt was the stop's, not the worker's: the job thread goes on
                throw new VmStartException(STOPPED, e);
            }
            throw e;
        }
        if (fetchEnded(t0)) {
            Thread.interrupted();
            fetched.close();
            throw new VmStartException(STOPPED);
        }
        if (fetched.isEmpty()) fetchMillis = 0;
        return fetched;
    }

    /** @return whether the start was stopped meanwhile */
    private boolean fetchEnded(long t0) {
        fetchMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        synchronized (starting) {
            fetcher = null;
            return stopStarting;
        }
    }

    @Override
    public void stopStarting() {
        synchronized (starting) {
            stopStarting = true;
            if (fetcher != null) fetcher.interrupt();
        }
    }

    /**
     * How long getting the job's artifacts took (downloads, or finding them in the cache), also when it failed or
     * was stopped; 0 before that or when the job names none.
     */
    @Override
    public long artifactFetchMillis() {
        return fetchMillis;
    }

    /** The job's public key as an {@code authorized_keys} line: what console key delivery installs. */
    @Override
    public String publicKey() {
        return publicKey;
    }

    @Override
    public String sshAddress() {
        VirtualMachine v = vm;
        return v == null || v.sshPort() <= 0 ? "" : "127.0.0.1:" + v.sshPort();
    }

    @Override
    public boolean poweredOn() {
        return vm != null;
    }

    @Override
    public boolean pause() {
        VirtualMachine v = vm;
        return v != null && v.suspend();
    }

    @Override
    public boolean destroy() {
        VirtualMachine v = vm;
        return v == null || v.destroy();
    }

    @Override
    public boolean isDestroyed() {
        VirtualMachine v = vm;
        return v == null || v.isDestroyed();
    }

    @Override
    public boolean connectSsh(Duration within) throws InterruptedException {
        GuestSsh s = ssh;
        return s != null && s.connect(System.nanoTime() + within.toNanos());
    }

    @Override
    public void disconnectSsh() {
        GuestSsh s = ssh;
        if (s != null) s.disconnect();
    }

    @Override
    public void hangUp() {
        hungUp = true;
        transcript.hangUp();
        GuestSsh s = ssh;
        if (s != null) s.close();
    }

    @Override
    public void typeOnConsole(String text) throws IOException {
        VirtualMachine v = vm;
        if (v == null) throw new IOException("no guest to type on");
        v.typeOnConsole(text);
    }

    @Override
    public boolean awaitConsole(Pattern pattern, Duration within) throws InterruptedException {
        return transcript.await(pattern, within);
    }

    @Override
    public ExecResult exec(String command, Duration timeout, LineAssembler stdout, LineAssembler stderr) {
        GuestSsh s = ssh;
        if (s == null) return new ExecResult(-1, false, 0, "no SSH to this guest");
        return s.exec(command, timeout, stdout, stderr);
    }

    @Override
    public void close() {
        GuestSsh s = ssh;
        if (s != null) s.close();
        VirtualMachine v = vm;
        if (v == null) return;
        v.close();
        // libvirt did not answer: the job ends all the same, and the domain goes as soon as libvirt is back
        if (!v.isDestroyed()) pendingDestroys.add(v.name());
    }
}
