package org.vmtest.analyzer.offline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.vmtest.analyzer.offline.OfflineAnalyzer.FileResult;
import org.vmtest.analyzer.offline.OfflineAnalyzer.Finding;
import org.vmtest.analyzer.patterns.PatternLibrary;
import org.vmtest.protocol.Category;
import org.vmtest.protocol.codec.Json;

/** The built-in library over whole logs as systems print them: each failure flagged once, healthy boots passed. */
class OfflineAnalyzerTest {
    private static final OfflineAnalyzer ANALYZER = new OfflineAnalyzer(PatternLibrary.builtIn());

    static Stream<Path> healthyLogs() throws Exception {
        return Stream.concat(Files.list(sample("healthy")), Stream.of(sample("nix/install-ok.log"))).sorted();
    }

    @ParameterizedTest
    @MethodSource("healthyLogs")
    void healthyLogPassesWithoutAnyFailingFinding(Path log) throws Exception {
        FileResult r = ANALYZER.analyze(log);
        assertThat(r.findings()).noneMatch(Finding::failsTheJob);
        assertThat(r.verdict()).isEqualTo("pass");
        assertThat(r.findings()).anyMatch(f -> f.category() == Category.SUCCESS);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            kernel/null-deref-oops-panic.log | kernel.null-pointer-dereference | 2  | BUG: unable to handle kernel NULL pointer dereference in do_sys_open
            kernel/sysrq-panic.log           | kernel.panic                    | 3  | Kernel panic - not syncing: sysrq triggered crash
            kernel/kasan-use-after-free.log  | kernel.kasan                    | 2  | KASAN: slab-use-after-free Read in tcp_close
            kernel/gpf-kasan.log             | kernel.general-protection-fault | 1  | general protection fault in nf_tables_newrule
            kernel/warning-ext4.log          | kernel.warning                  | 2  | WARNING in ext4_fill_super
            kernel/hung-task.log             | kernel.hung-task                | 1  | INFO: task hung in blk_mq_get_tag
            kernel/soft-lockup.log           | kernel.soft-lockup              | 1  | BUG: soft lockup in native_queued_spin_lock_slowpath
            kernel/rcu-stall.log             | kernel.rcu-stall                | 1  | INFO: rcu detected stall in rcu_busy_loop
            kernel/lockdep.log               | kernel.lockdep                  | 2  | possible deadlock in ext4_buffered_write_iter
            kernel/oom.log                   | kernel.oom-kill                 | 1  | out of memory: killed stress
            kernel/bug-at-invalid-opcode.log | kernel.list-corruption          | 1  | BUG: corrupted list in process_one_work
            kernel/ubsan.log                 | kernel.ubsan                    | 2  | UBSAN: shift-out-of-bounds in drivers/net/ethernet/intel/e1000/e1000_main.c:LINE
            kernel/stack-protector.log       | kernel.stack-protector          | 1  | stack-protector: Kernel stack is corrupted in do_sys_poll
            kernel/no-root-fs.log            | kernel.panic                    | 5  | Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(N,N)
            """)
    void kernelCrashIsOneFindingTitledInTheKernelsTerms(String sample, String pattern, int line, String title)
            throws Exception {
        FileResult r = ANALYZER.analyze(sample(sample));
        assertThat(r.verdict()).isEqualTo("fail");
        assertThat(r.findings()).filteredOn(Finding::failsTheJob).singleElement().satisfies(f -> {
            assertThat(f.pattern()).isEqualTo(pattern);
            assertThat(f.line()).isEqualTo(line);
            assertThat(f.title()).isEqualTo(title);
        });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            systemd/failed-unit-emergency.log | systemd.emergency-mode        | critical | 7
            systemd/failed-unit-emergency.log | systemd.unit-failed           | error    | 2
            systemd/failed-unit-emergency.log | systemd.device-timeout        | error    | 4
            systemd/failed-unit-emergency.log | systemd.dependency-failed     | error    | 5
            nix/builder-failed.log            | nix.builder-failed            | error    | 12
            nix/hash-mismatch.log             | nix.hash-mismatch             | error    | 2
            nix/eval-error.log                | nix.undefined-variable        | error    | 7
            nix/switch-failed.log             | nix.switch-units-failed       | error    | 6
            boot/grub-missing-kernel.log      | grub.file-not-found           | critical | 4
            fs/ext4-io-errors.log             | fs.io-error                   | error    | 1
            fs/ext4-io-errors.log             | fs.ext4-error                 | error    | 3
            fs/ext4-io-errors.log             | fs.remount-read-only          | error    | 4
            tests/pytest-failed.log           | pytest.failed-test            | failure  | 7
            tests/pytest-failed.log           | pytest.summary-failed         | failure  | 9
            tests/selftest-failed.log         | vmtest.selftest-failed        | failure  | 2
            """)
    void failureOfSystemdNixBootAndTestsIsFlagged(String sample, String pattern, String category, int line)
            throws Exception {
        FileResult r = ANALYZER.analyze(sample(sample));
        assertThat(r.verdict()).isEqualTo("fail");
        assertThat(r.findings()).anySatisfy(f -> {
            assertThat(f.pattern()).isEqualTo(pattern);
            assertThat(f.category().name().toLowerCase()).isEqualTo(category);
            assertThat(f.line()).isEqualTo(line);
        });
    }

    @Test
    void metricsOfAHealthyBootAreExtracted() throws Exception {
        FileResult r = ANALYZER.analyze(sample("healthy/fedora-boot.log"));
        assertThat(r.findings()).filteredOn(f -> f.pattern().equals("metric.systemd-boot-total"))
                .singleElement().extracting(Finding::value).isEqualTo(6.5);
    }

    @Test
    void runPrintsOneJsonObjectPerFileAndExitsOneWhenAnyFails() throws Exception {
        var bytes = new ByteArrayOutputStream();
        int exit = OfflineAnalyzer.run(List.of(sample("healthy/debian12-boot.log"), sample("kernel/sysrq-panic.log")),
                List.of(), true, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(exit).isEqualTo(1);
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(2);
        JsonNode healthy = Json.mapper().readTree(lines.get(0));
        JsonNode panic = Json.mapper().readTree(lines.get(1));
        assertThat(healthy.get("verdict").asText()).isEqualTo("pass");
        assertThat(panic.get("file").asText()).endsWith("sysrq-panic.log");
        assertThat(panic.get("verdict").asText()).isEqualTo("fail");
        JsonNode finding = panic.get("findings").get(0);
        assertThat(finding.get("pattern").asText()).isEqualTo("kernel.panic");
        assertThat(finding.get("category").asText()).isEqualTo("critical");
        assertThat(finding.get("line").asInt()).isEqualTo(3);
        assertThat(finding.get("title").asText()).isEqualTo("Kernel panic - not syncing: sysrq triggered crash");
    }

    @Test
    void runExitsZeroWhenEveryFilePassesAndTwoOnBadPatterns(@TempDir Path dir) throws Exception {
        var out = new ByteArrayOutputStream();
        var print = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertThat(OfflineAnalyzer.run(List.of(sample("healthy/nixos-boot.log")), List.of(), false, print)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith(sample("healthy/nixos-boot.log") + ": pass");
        Files.writeString(dir.resolve("bad.yaml"), "patterns:\n  - id: x\n    regex: '(a+)+'\n    category: error\n");
        out.reset();
        assertThat(OfflineAnalyzer.run(List.of(sample("healthy/nixos-boot.log")), List.of(dir), false, print)).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("bad.yaml:3: pattern x: regex refused");
    }

    @Test
    void aNewPatternFromADirectoryIsTriedOnOldLogs(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("mine.yaml"), """
                patterns:
                  - id: mine.journal-corrupt
                    regex: 'system\\.journal corrupted or uncleanly shut down'
                    category: failure
                """);
        var lib = PatternLibrary.load(List.of(dir));
        FileResult r = new OfflineAnalyzer(lib).analyze(sample("healthy/debian12-boot.log"));
        assertThat(r.verdict()).isEqualTo("fail");
        assertThat(r.findings()).anyMatch(f -> f.pattern().equals("mine.journal-corrupt") && f.line() == 57);
    }

    @Test
    void binaryGarbageIsReadWithoutFailing(@TempDir Path dir) throws Exception {
        byte[] junk = new byte[1 << 16];
        new java.util.Random(3).nextBytes(junk);
        Path f = dir.resolve("garbage.log");
        Files.write(f, junk);
        assertThat(ANALYZER.analyze(f).verdict()).isIn("pass", "fail");
    }

    private static Path sample(String name) throws Exception {
        return Path.of(OfflineAnalyzerTest.class.getClassLoader().getResource("samples/" + name).toURI());
    }
}
