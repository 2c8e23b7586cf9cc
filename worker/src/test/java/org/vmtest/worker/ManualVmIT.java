package org.vmtest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.worker.vm.Hypervisor;

/** {@code vmtest vm start}: a profile's VM for a person, its console streamed, and nothing left after close. */
class ManualVmIT {
    @TempDir
    Path work;

    @Test
    void aManualVmStreamsItsConsoleHandsOutAKeyAndLeavesNothingBehind() throws Exception {
        WorkerConfig config = WorkerConfig.defaults(new KafkaSettings()).withDirs(TestGuest.dir(), work);
        List<String> console = new CopyOnWriteArrayList<>();
        String domain;
        Path dir;
        try (Hypervisor libvirt = Hypervisor.open(config.libvirtUri())) {
            try (ManualVm vm = ManualVm.start(TestGuest.profile("pass"), config, console::add)) {
                domain = vm.domainName();
                dir = vm.dir();
                assertThat(libvirt.isRunning(domain)).isTrue();
                assertThat(vm.sshPort()).isPositive();
                assertThat(vm.privateKey()).isRegularFile();
                assertThat(Files.getPosixFilePermissions(vm.privateKey()))
                        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
                assertThat(vm.sshCommand()).contains("-p " + vm.sshPort()).contains(vm.privateKey().toString());
                await().atMost(Duration.ofMinutes(2)).until(() -> console.stream().anyMatch(l -> l.contains("Linux version")));
            }
            assertThat(libvirt.isRunning(domain)).as("domain destroyed").isFalse();
            assertThat(libvirt.domainsNamed(domain)).isEmpty();
        }
        assertThat(dir).as("overlay, key and their directory removed").doesNotExist();
        assertThat(Set.of(work.toFile().list())).as("nothing left in the work directory").isEmpty();
    }
}
