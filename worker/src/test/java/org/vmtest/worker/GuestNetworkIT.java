package org.vmtest.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.sshd.client.SshClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.protocol.jobs.VmSpec;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.worker.ssh.ExecResult;
import org.vmtest.worker.ssh.GuestSsh;
import org.vmtest.worker.ssh.SshKeys;
import org.vmtest.worker.stream.LineAssembler;
import org.vmtest.worker.vm.AcceleratorProbe;
import org.vmtest.worker.vm.ConsoleListener;
import org.vmtest.worker.vm.Hypervisor;
import org.vmtest.worker.vm.VirtualMachine;
import org.vmtest.worker.vm.VmLauncher;

/**
 * What a guest can reach on its host, tried from inside the real test guest: a service the test opens on the host's
 * 127.0.0.1, which QEMU user networking shows to the guest as 10.0.2.2. Restricted (the default), the guest cannot
 * reach it; with {@code vm.network: outbound} it can.
 */
class GuestNetworkIT {
    private static final ConsoleListener NO_CONSOLE = (buf, len) -> {
    };

    @TempDir
    static Path work;

    static Hypervisor libvirt;
    static SshClient client;
    static AcceleratorProbe.Result accelerator;

    @BeforeAll
    static void openLibvirt() throws Exception {
        WorkerConfig config = WorkerConfig.defaults(new KafkaSettings()).withDirs(TestGuest.dir(), work);
        libvirt = Hypervisor.open(config.libvirtUri());
        client = GuestSsh.newClient();
        accelerator = AcceleratorProbe.resolve(config.accelerator(), libvirt, config.hostFacts(),
                TestGuest.dir().resolve("vmlinuz"), config.probeTimeout(), "vmtest-netit-kvm-probe");
    }

    @AfterAll
    static void close() {
        if (client != null) client.stop();
        if (libvirt != null) libvirt.close();
    }

    /** What the guest's {@code nc} said and what the host's socket saw. */
    private record Attempt(ExecResult result, String guestOutput, List<String> hostReceived) {
    }

    @Test
    void aRestrictedGuestCannotReachTheHostsLoopbackServices() throws Exception {
        Attempt a = connectFromGuest(null);

        assertThat(a.result().exitCode()).as("nc exit status; output: " + a.guestOutput()).isNotZero();
        assertThat(a.guestOutput()).doesNotContain("from-host");
        assertThat(a.hostReceived()).as("connections the host's 127.0.0.1 socket accepted").isEmpty();
    }

    @Test
    void anOutboundGuestReachesTheHostsLoopbackServices() throws Exception {
        Attempt a = connectFromGuest(VmSpec.Network.OUTBOUND);

        assertThat(a.result().exitCode()).as("nc exit status; output: " + a.guestOutput()).isZero();
        assertThat(a.guestOutput()).contains("from-host");
        assertThat(a.hostReceived()).containsExactly("from-guest");
    }

    /** @param network null for a profile that says nothing: the default */
    private Attempt connectFromGuest(VmSpec.Network network) throws Exception {
        Profile pass = TestGuest.profile("pass");
        VmSpec v = pass.vm();
        VmSpec vm = new VmSpec(v.memoryMiB(), v.vcpus(), v.kernel(), v.initrd(), v.cmdline(), v.iso(), v.disk(),
                v.firmware(), v.accelerator(), network);
        Profile profile = new Profile(pass.name(), pass.description(), vm, pass.ssh(), pass.install(), false,
                List.of(), pass.phaseTimeouts(), pass.stallLimits(), pass.attemptLimit(), pass.patterns());
        List<String> received = new CopyOnWriteArrayList<>();
        try (ServerSocket host = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> serve(host, received), "host-loopback-service");
            server.setDaemon(true);
            server.start();
            VmLauncher launcher = new VmLauncher(libvirt, "netit", TestGuest.dir(), work);
            KeyPair keys = SshKeys.generate();
            String domain = launcher.domainName("net-" + (network == null ? "default" : network.name()), 1);
            try (VirtualMachine machine = launcher.launch(profile, domain, accelerator.accelerator(),
                    SshKeys.openSshPublicLine(keys, "netit"), NO_CONSOLE);
                 GuestSsh ssh = new GuestSsh(client, "root", machine.sshPort(), keys, Duration.ofMillis(500),
                         Duration.ofSeconds(10))) {
                assertThat(ssh.connect(System.nanoTime() + Duration.ofMinutes(3).toNanos()))
                        .as("ssh into the guest (the forwarded port works in every mode)").isTrue();
                StringBuilder out = new StringBuilder();
                LineAssembler lines = new LineAssembler((b, len, continued) -> {
                    synchronized (out) {
                        out.append(new String(b, 0, len, StandardCharsets.UTF_8)).append('\n');
                    }
                });
                ExecResult result = ssh.exec("echo from-guest | nc -w 5 10.0.2.2 " + host.getLocalPort() + " 2>&1",
                        Duration.ofSeconds(60), lines, lines);
                synchronized (out) {
                    return new Attempt(result, out.toString(), List.copyOf(received));
                }
            }
        }
    }

    /** The host's loopback service: reads one line, answers, hangs up; until the socket is closed. */
    private static void serve(ServerSocket server, List<String> received) {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                s.setSoTimeout(10_000);
                String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
                received.add(String.valueOf(line));
                OutputStream o = s.getOutputStream();
                o.write("from-host\n".getBytes(StandardCharsets.UTF_8));
                o.flush();
            } catch (IOException e) {
                // the socket was closed: the test is over
            }
        }
    }
}
