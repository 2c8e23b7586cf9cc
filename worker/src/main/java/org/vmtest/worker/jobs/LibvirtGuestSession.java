package org.vmtest.worker.jobs;

import java.security.KeyPair;
import java.time.Duration;
import org.apache.sshd.client.SshClient;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.protocol.jobs.SshSpec;
import org.vmtest.worker.WorkerConfig;
import org.vmtest.worker.ssh.ExecResult;
import org.vmtest.worker.ssh.GuestSsh;
import org.vmtest.worker.ssh.SshKeys;
import org.vmtest.worker.stream.LineAssembler;
import org.vmtest.worker.vm.AcceleratorProbe;
import org.vmtest.worker.vm.ConsoleListener;
import org.vmtest.worker.vm.PendingDestroys;
import org.vmtest.worker.vm.VirtualMachine;
import org.vmtest.worker.vm.VmLauncher;
import org.vmtest.worker.vm.VmStartException;

/** A job's guest as a libvirt domain (power, console) reached over SSH with a key made for this job. */
final class LibvirtGuestSession implements GuestSession {
    private final VmLauncher launcher;
    private final Profile profile;
    private final String domainName;
    private final AcceleratorProbe.Result accelerator;
    private final SshClient client;
    private final WorkerConfig.SshSettings sshSettings;
    private final PendingDestroys pendingDestroys;
    private final ConsoleListener console;
    private final KeyPair keys;
    private final String publicKey;
    private volatile VirtualMachine vm;
    private volatile GuestSsh ssh;
    private volatile boolean sshCut;

    LibvirtGuestSession(VmLauncher launcher, Profile profile, String domainName, AcceleratorProbe.Result accelerator,
                        SshClient client, WorkerConfig.SshSettings sshSettings, PendingDestroys pendingDestroys,
                        ConsoleListener console, String keyComment) {
        this.launcher = launcher;
        this.profile = profile;
        this.domainName = domainName;
        this.accelerator = accelerator;
        this.client = client;
        this.sshSettings = sshSettings;
        this.pendingDestroys = pendingDestroys;
        this.console = console;
        this.keys = SshKeys.generate();
        this.publicKey = SshKeys.openSshPublicLine(keys, keyComment);
    }

    @Override
    public String powerOn() throws VmStartException {
        VirtualMachine started = launcher.launch(profile, domainName, accelerator.accelerator(), publicKey, console);
        if (profile.ssh().keyDelivery() != SshSpec.KeyDelivery.NONE) {
            ssh = new GuestSsh(client, profile.ssh().user(), started.sshPort(), keys,
                    sshSettings.connectRetryInterval(), sshSettings.connectAttemptTimeout());
            if (sshCut) ssh.close();
        }
        vm = started;
        return "domain " + domainName + " started (" + accelerator.wireName() + ")";
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
    public void cutSsh() {
        sshCut = true;
        GuestSsh s = ssh;
        if (s != null) s.close();
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
