package org.vmtest.coordinator.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.coordinator.core.ApiException;

class ArchiveLayoutTest {
    @TempDir
    Path root;

    @Test
    void idsThatCouldLeaveTheArchiveAreRefused() {
        ArchiveLayout layout = new ArchiveLayout(root);
        assertThat(layout.log("r-1", "r-1-1-pass", LogName.CONSOLE)).hasValue(root.resolve("r-1/r-1-1-pass/console.log"));
        for (String bad : new String[] {"..", "../etc", "a/b", "a\\b", "..hidden", "", ".", "/abs", "a..b"}) {
            assertThat(layout.log("r-1", bad, LogName.CONSOLE)).as(bad).isEmpty();
            assertThat(layout.log(bad, "j", LogName.CONSOLE)).as(bad).isEmpty();
        }
        assertThat(LogName.of("passwd")).isEmpty();
    }

    @Test
    void tailReadsTheLastLinesAndRangesTheirBytes() throws Exception {
        Path file = root.resolve("console.log");
        Files.writeString(file, "one\ntwo\nthree\n");

        assertThat(read(file, LogReader.tail(file, 2))).isEqualTo("two\nthree\n");
        assertThat(read(file, LogReader.tail(file, 10))).isEqualTo("one\ntwo\nthree\n");
        assertThat(read(file, LogReader.tail(file, 0))).isEmpty();
        assertThat(read(file, LogReader.range(file, "bytes=4-6"))).isEqualTo("two");
        assertThat(read(file, LogReader.range(file, "bytes=-6"))).isEqualTo("three\n");
        assertThat(LogReader.range(file, "bytes=8-").start()).isEqualTo(8);
        assertThatThrownBy(() -> LogReader.range(file, "bytes=100-")).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.status()).isEqualTo(416));
        assertThatThrownBy(() -> LogReader.range(file, "lines=1-2")).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.status()).isEqualTo(400));
    }

    private static String read(java.nio.file.Path file, LogReader.Slice slice) throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        LogReader.copy(file, slice, out);
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
