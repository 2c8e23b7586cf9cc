package org.vmtest.worker.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Disk images made by the real qemu-img: one that points QEMU at another file of the host is refused. */
class DownloadedDiskTest {
    @TempDir
    Path tmp;

    private Path qemuImg(String... args) throws Exception {
        Process p = new ProcessBuilder(List.of(args)).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
        return Path.of(args[args.length - 2]);
    }

    @Test
    void aPlainQcow2OrARawImageIsTaken() throws Exception {
        Path plain = qemuImg("qemu-img", "create", "-q", "-f", "qcow2", tmp.resolve("plain.qcow2").toString(), "16M");
        Path raw = Files.write(tmp.resolve("disk.raw"), new byte[4096]);
        assertThatCode(() -> DownloadedDisk.check(tmp.resolve("plain.qcow2"), "disk", "disk")).doesNotThrowAnyException();
        assertThatCode(() -> DownloadedDisk.check(raw, "disk", "disk")).doesNotThrowAnyException();
        assertThat(plain).isNotNull();
    }

    @Test
    void aQcow2WithABackingFileIsRefused() throws Exception {
        qemuImg("qemu-img", "create", "-q", "-f", "qcow2", "-b", "/etc/shadow", "-F", "raw",
                tmp.resolve("top.qcow2").toString(), "16M");
        assertThatThrownBy(() -> DownloadedDisk.check(tmp.resolve("top.qcow2"), "disk", "image"))
                .isInstanceOfSatisfying(VmStartException.class, e -> assertThat(e.mayRetryElsewhere()).isFalse())
                .hasMessageStartingWith("vm.disk: artifact image is a qcow2 image that names a backing file");
    }

    @Test
    void aQcow2WithAnExternalDataFileIsRefused() throws Exception {
        qemuImg("qemu-img", "create", "-q", "-f", "qcow2", "-o", "data_file=" + tmp.resolve("data.raw"),
                tmp.resolve("ext.qcow2").toString(), "16M");
        assertThatThrownBy(() -> DownloadedDisk.check(tmp.resolve("ext.qcow2"), "disk", "image"))
                .hasMessageStartingWith("vm.disk: artifact image is a qcow2 image that keeps its data in an external file");
    }
}
