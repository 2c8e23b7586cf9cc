package org.vmtest.analyzer.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vmtest.analyzer.bench.ConsoleCorpus;
import org.vmtest.protocol.Category;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.codec.Json;

class JobScannerTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private final JobScanner scanner = new JobScanner(PatternLibrary.builtIn(), Duration.ofSeconds(2));

    private static final String BANNER = "[    0.000000] Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org) "
            + "(gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1";

    /** Each line with the phase it arrives in. */
    private List<Hit> scan(ScanState state, Object... phaseAndLine) {
        var hits = new ArrayList<Hit>();
        for (int i = 0; i < phaseAndLine.length; i += 2) {
            hits.addAll(scanner.onLine(state, i, (Phase) phaseAndLine[i], LineSource.CONSOLE, T0.plusMillis(i),
                    (String) phaseAndLine[i + 1]));
        }
        hits.addAll(scanner.onEnd(state));
        return hits;
    }

    @Test
    void aSecondBootBannerWithNothingBeforeItIsAnUnexpectedReboot() {
        List<Hit> hits = scan(ScanState.empty(), Phase.PROVISIONING, BANNER,
                Phase.INSTALLATION, "[   12.000000] EXT4-fs (vda1): mounted filesystem with ordered data mode.",
                Phase.INSTALLATION, BANNER);
        assertThat(hits).filteredOn(h -> h.pattern().category() == Category.CRITICAL).singleElement()
                .satisfies(h -> {
                    assertThat(h.pattern().id()).isEqualTo("kernel.unexpected-reboot");
                    assertThat(h.title()).isEqualTo("unexpected kernel reboot");
                    assertThat(h.phase()).isEqualTo(Phase.INSTALLATION);
                });
    }

    @Test
    void theRebootPhaseAnOrderlyRestartOrACrashExplainsTheNextBoot() {
        List<Hit> inRebootPhase = scan(ScanState.empty(), Phase.PROVISIONING, BANNER, Phase.REBOOT, BANNER);
        List<Hit> afterRestart = scan(ScanState.empty(), Phase.PROVISIONING, BANNER,
                Phase.INSTALLATION, "[   13.100000] reboot: Restarting system", Phase.INSTALLATION, BANNER);
        List<Hit> afterPanic = scan(ScanState.empty(), Phase.PROVISIONING, BANNER,
                Phase.TESTING, "[   13.100000] Kernel panic - not syncing: Fatal exception",
                Phase.TESTING, "[   13.200000] ---[ end Kernel panic - not syncing: Fatal exception ]---",
                Phase.TESTING, BANNER);
        assertThat(inRebootPhase).noneMatch(h -> h.pattern().id().equals("kernel.unexpected-reboot"));
        assertThat(afterRestart).noneMatch(h -> h.pattern().id().equals("kernel.unexpected-reboot"));
        assertThat(afterPanic).extracting(h -> h.pattern().id()).containsOnlyOnce("kernel.panic")
                .doesNotContain("kernel.unexpected-reboot");
    }

    @Test
    void theBootCountSurvivesAJsonRoundTrip() throws Exception {
        ScanState state = ScanState.empty();
        scan(state, Phase.PROVISIONING, BANNER);
        ScanState copy = Json.mapper().readValue(Json.mapper().writeValueAsString(state), ScanState.class);
        assertThat(scan(copy, Phase.TESTING, BANNER)).extracting(h -> h.pattern().id())
                .contains("kernel.unexpected-reboot");
    }

    @Test
    void singleLinePatternHitsAtOnce() {
        ScanState state = ScanState.empty();
        List<Hit> hits = scanner.onLine(state, 7, Phase.TESTING, LineSource.SSH_STDERR, T0,
                "selftest: FAILED expected service vmtest-demo to be running");
        assertThat(hits).singleElement().satisfies(h -> {
            assertThat(h.pattern().id()).isEqualTo("vmtest.selftest-failed");
            assertThat(h.pattern().category()).isEqualTo(Category.FAILURE);
            assertThat(h.seq()).isEqualTo(7);
            assertThat(h.phase()).isEqualTo(Phase.TESTING);
        });
    }

    @Test
    void aTestFailureRightAfterAKernelWarningIsStillItsOwnFinding() {
        ScanState state = ScanState.empty();
        var hits = new ArrayList<Hit>();
        for (String line : ConsoleCorpus.sampleLines("kernel/warning-ext4.log")) {
            hits.addAll(scanner.onLine(state, hits.size(), Phase.INSTALLATION, LineSource.CONSOLE, T0, line));
        }
        hits.addAll(scanner.onEnd(state));
        hits.removeIf(h -> h.pattern().category() == Category.PROGRESS || h.pattern().category() == Category.METRIC || h.pattern().category() == Category.SUCCESS);
        assertThat(hits).extracting(h -> h.pattern().category()).containsExactly(Category.CRITICAL);
        hits.addAll(scanner.onLine(state, 1000, Phase.TESTING, LineSource.SSH_STDERR, T0.plusSeconds(1),
                "selftest: FAILED expected service vmtest-demo to be running"));
        hits.addAll(scanner.onLine(state, 1001, Phase.TESTING, LineSource.CONSOLE, T0.plusSeconds(1),
                "[   31.000000] EXT4-fs error (device vda1): ext4_lookup:1851: inode #2: comm ls: deleted inode referenced: 12"));
        hits.removeIf(h -> h.pattern().category() == Category.PROGRESS || h.pattern().category() == Category.METRIC || h.pattern().category() == Category.SUCCESS);
        assertThat(hits).extracting(h -> h.pattern().id()).as("the test failure is news, the file system noise is not")
                .containsExactly(hits.get(0).pattern().id(), "vmtest.selftest-failed");
    }

    @Test
    void kernelReportIsOneHitReturnedWhenItsEndMarkerArrives() {
        ScanState state = ScanState.empty();
        List<String> lines = ConsoleCorpus.sampleLines("kernel/null-deref-oops-panic.log");
        int endTrace = indexOf(lines, "---[ end trace");
        var hits = new ArrayList<Hit>();
        for (int i = 0; i < lines.size(); i++) {
            List<Hit> out = scanner.onLine(state, i, Phase.INSTALLATION, LineSource.CONSOLE, T0, lines.get(i)).stream()
                    .filter(h -> h.pattern().category() != Category.PROGRESS).toList();
            if (i < endTrace) assertThat(out).as("line %d", i).isEmpty();
            if (i == endTrace) assertThat(out).hasSize(1);
            hits.addAll(out);
        }
        hits.addAll(scanner.onEnd(state));
        assertThat(hits).singleElement().satisfies(h -> {
            assertThat(h.title()).isEqualTo("BUG: unable to handle kernel NULL pointer dereference in do_sys_open");
            assertThat(h.pattern().category()).isEqualTo(Category.CRITICAL);
            assertThat(h.seq()).isEqualTo(1);
            assertThat(h.block()).hasSize(endTrace);
            assertThat(h.block().get(0)).contains("BUG: kernel NULL pointer dereference");
            assertThat(h.block()).last().asString().contains("---[ end trace");
            assertThat(h.context()).singleElement().asString().contains("EXT4-fs (vda): mounted");
        });
    }

    @Test
    void reportWithoutEndMarkerClosesWhenItsGracePassesOnTick() {
        ScanState state = ScanState.empty();
        assertThat(scanner.onLine(state, 1, Phase.INSTALLATION, LineSource.CONSOLE, T0,
                "[  245.102030] INFO: task kworker/0:1:23 blocked for more than 120 seconds.")).isEmpty();
        assertThat(scanner.onLine(state, 2, Phase.INSTALLATION, LineSource.CONSOLE, T0.plusMillis(10),
                "[  245.105456] Call Trace:")).isEmpty();
        assertThat(state.reportOpen()).isTrue();
        assertThat(scanner.onTick(state, T0.plusMillis(1999))).isEmpty();
        assertThat(scanner.onTick(state, T0.plusSeconds(2))).singleElement()
                .satisfies(h -> assertThat(h.block()).hasSize(2));
        assertThat(scanner.onTick(state, T0.plusSeconds(3))).isEmpty();
    }

    @Test
    void reportIsBoundedByItsMaxLines() {
        ScanState state = ScanState.empty();
        scanner.onLine(state, 0, null, null, T0, "[    1.0] BUG: soft lockup - CPU#1 stuck for 23s! [stress:412]");
        var hits = new ArrayList<Hit>();
        for (int i = 1; i < 500 && hits.isEmpty(); i++) {
            hits.addAll(scanner.onLine(state, i, null, null, T0, "[    1.0]  filler line " + i));
        }
        int bound = PatternLibrary.builtIn().report("kernel.soft-lockup").orElseThrow().maxLines();
        assertThat(hits).singleElement().satisfies(h -> assertThat(h.block()).hasSize(bound));
    }

    @Test
    void lineAfterTheGraceClosesTheReportBeforeItIsScanned() {
        ScanState state = ScanState.empty();
        scanner.onLine(state, 0, null, null, T0, "stress invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0");
        List<Hit> hits = scanner.onLine(state, 1, null, null, T0.plusSeconds(5),
                "selftest: FAILED expected service vmtest-demo to be running");
        assertThat(hits).extracting(h -> h.pattern().id()).containsExactly("kernel.oom-kill", "vmtest.selftest-failed");
    }

    @Test
    void stateSurvivesAJsonRoundTripInTheMiddleOfAReport() throws Exception {
        ScanState state = ScanState.empty();
        List<String> lines = ConsoleCorpus.sampleLines("kernel/kasan-use-after-free.log");
        var hits = new ArrayList<Hit>();
        for (int i = 0; i < lines.size(); i++) {
            String json = Json.mapper().writeValueAsString(state);
            state = Json.mapper().readValue(json, ScanState.class);
            hits.addAll(scanner.onLine(state, i, null, LineSource.CONSOLE, T0, lines.get(i)));
        }
        assertThat(hits).singleElement().satisfies(h -> {
            assertThat(h.title()).isEqualTo("KASAN: slab-use-after-free Read in tcp_close");
            assertThat(h.block()).hasSizeGreaterThan(40);
        });
    }

    @Test
    void sameBugInAnotherRunGetsTheSameTitleAndSignature() {
        Hit first = onlyProblem("kernel/null-deref-oops-panic.log");
        Hit second = onlyProblem("kernel/null-deref-oops-panic-run2.log");
        assertThat(second.block()).isNotEqualTo(first.block());
        assertThat(second.title()).isEqualTo(first.title());
        assertThat(second.signature()).isEqualTo(first.signature()).hasSize(12).matches("[0-9a-f]{12}");
    }

    @Test
    void titlesDropAddressesOffsetsAndNumbers() {
        assertThat(Titles.normalise("WARNING in foo+0x1a/0x30 at 0xffffffff81234567 pid 4242 cpu#3 after 22s"))
                .isEqualTo("WARNING in foo at ADDR pid N cpu#N after N");
        assertThat(Titles.normalise("INFO: task kworker/0:1 blocked")).isEqualTo("INFO: task kworker/N:N blocked");
        assertThat(Titles.normalise("EXT4-fs error in ext4_fill_super")).isEqualTo("EXT4-fs error in ext4_fill_super");
    }

    @Test
    void repeatedProblemIsReportedOnce() {
        ScanState state = ScanState.empty();
        var hits = new ArrayList<Hit>();
        for (int i = 0; i < 50; i++) {
            hits.addAll(scanner.onLine(state, i, null, null, T0,
                    "[ 400.0] I/O error, dev vda, sector " + (2048 + i * 8) + " op 0x1:(WRITE) flags 0x800"));
        }
        assertThat(hits).hasSize(1);
    }

    @Test
    void metricCarriesItsValueInItsUnit() {
        List<Hit> hits = scanner.onLine(ScanState.empty(), 1, null, null, T0,
                "[    6.5] systemd[1]: Startup finished in 1.011s (kernel) + 1.612s (initrd) + 1min 3.877s (userspace) = 1min 6.500s.");
        assertThat(hits).filteredOn(h -> h.pattern().id().equals("metric.systemd-boot-total"))
                .singleElement().satisfies(h -> {
                    assertThat(h.value()).isEqualTo(66.5);
                    assertThat(h.unit()).isEqualTo("s");
                });
        assertThat(hits).filteredOn(h -> h.pattern().id().equals("metric.systemd-boot-userspace"))
                .singleElement().satisfies(h -> assertThat(h.value()).isCloseTo(63.877, org.assertj.core.data.Offset.offset(1e-9)));
    }

    @Test
    void ansiColouredSystemdFailureIsRecognised() {
        List<Hit> hits = scanner.onLine(ScanState.empty(), 1, null, null, T0,
                "[\u001b[0;1;31mFAILED\u001b[0m] Failed to start \u001b[0;1;39mnginx.service\u001b[0m - Nginx Web Server.");
        assertThat(hits).singleElement().satisfies(h -> {
            assertThat(h.pattern().id()).isEqualTo("systemd.unit-failed");
            assertThat(h.title()).isEqualTo("systemd: failed to start nginx.service - Nginx Web Server");
            assertThat(h.line()).doesNotContain("\u001b");
        });
    }

    @Test
    void phaseAndSourceRestrictionsApply() throws Exception {
        var lib = PatternLibrary.fromYaml("p.yaml", """
                patterns:
                  - id: only.install
                    regex: 'boom'
                    category: error
                    phases: [installation]
                    sources: [ssh-stdout]
                """);
        var s = new JobScanner(lib);
        assertThat(s.onLine(ScanState.empty(), 1, Phase.TESTING, LineSource.SSH_STDOUT, T0, "boom")).isEmpty();
        assertThat(s.onLine(ScanState.empty(), 1, Phase.INSTALLATION, LineSource.CONSOLE, T0, "boom")).isEmpty();
        assertThat(s.onLine(ScanState.empty(), 1, Phase.INSTALLATION, LineSource.SSH_STDOUT, T0, "boom")).hasSize(1);
    }

    @Test
    void hugeAndBinaryLinesCostBoundedTime() {
        ScanState state = ScanState.empty();
        String huge = "x".repeat(1 << 20);
        var bytes = new StringBuilder();
        var random = new java.util.Random(1);
        for (int i = 0; i < 1 << 16; i++) bytes.append((char) random.nextInt(0x10000));
        long start = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            scanner.onLine(state, i, null, null, T0, huge);
            scanner.onLine(state, i, null, null, T0, bytes.toString());
            scanner.onLine(state, i, null, null, T0, "Kernel panic - not syncing: " + "a ".repeat(1 << 18));
            state = ScanState.empty();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(state.recent).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(JobScanner.MAX_KEPT_LINE));
    }

    private Hit onlyProblem(String sample) {
        ScanState state = ScanState.empty();
        var hits = new ArrayList<Hit>();
        List<String> lines = ConsoleCorpus.sampleLines(sample);
        for (int i = 0; i < lines.size(); i++) hits.addAll(scanner.onLine(state, i, null, null, T0, lines.get(i)));
        hits.addAll(scanner.onEnd(state));
        return hits.stream().filter(h -> h.pattern().category() == Category.CRITICAL).reduce((a, b) -> {
            throw new AssertionError("more than one critical hit: " + a + " and " + b);
        }).orElseThrow();
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains(text)) return i;
        throw new AssertionError("no line with " + text);
    }
}
