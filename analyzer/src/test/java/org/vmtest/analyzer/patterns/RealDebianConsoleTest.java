package org.vmtest.analyzer.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vmtest.analyzer.offline.OfflineAnalyzer;
import org.vmtest.analyzer.offline.OfflineAnalyzer.FileResult;
import org.vmtest.protocol.Category;

/**
 * Consoles recorded from the Debian 12 guest of deploy/images/debian (serial console on ttyS0, SeaBIOS, GRUB,
 * kernel, initramfs, systemd with colours, cloud-init), replayed through the built-in library: the analyzer must be
 * quiet on clean boots and reboots, and must name a real systemd failure.
 */
class RealDebianConsoleTest {
    private static final OfflineAnalyzer ANALYZER = new OfflineAnalyzer(PatternLibrary.builtIn());

    static Stream<Path> cleanConsoles() throws Exception {
        return Files.list(sample("")).filter(p -> p.getFileName().toString().startsWith("clean-")).sorted();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cleanConsoles")
    void aCleanBootHasNoErrorCriticalOrFailureFinding(Path log) throws Exception {
        FileResult r = ANALYZER.analyze(log);
        assertThat(r.findings()).as("findings on %s", log.getFileName())
                .filteredOn(f -> f.category() == Category.ERROR || f.category() == Category.CRITICAL
                        || f.category() == Category.FAILURE)
                .isEmpty();
        assertThat(r.verdict()).isEqualTo("pass");
        assertThat(r.findings()).as("systemd reached its goal").anyMatch(f -> f.category() == Category.SUCCESS);
    }

    @Test
    void cleanConsolesWereRecorded() throws Exception {
        assertThat(cleanConsoles()).as("recorded clean Debian consoles").isNotEmpty();
    }

    /**
     * The lines Debian 12's systemd (252) prints on the console and in the journal when a service's start fails
     * (its format strings; a recorded failing console is kept by RealGuestsIT in system-tests/target/real-guests).
     */
    @Test
    void aServiceThatFailsToStartIsTheFinding(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path log = Files.writeString(dir.resolve("broken-service.log"), String.join("\n",
                "[  OK  ] Started \u001b[0;1;39mssh.service\u001b[0m - OpenBSD Secure Shell server.",
                "         Starting \u001b[0;1;39mlighttpd.service\u001b[0m - Lighttpd Daemon...",
                "[   41.112233] lighttpd[412]: 2026-12-08 01:50:00: (configfile.c.2012) source: /etc/lighttpd/lighttpd.conf line: 51 pos: 1 parser failed somehow near here: this",
                "[   41.223344] systemd[1]: lighttpd.service: Control process exited, code=exited, status=255/EXCEPTION",
                "[   41.223399] systemd[1]: lighttpd.service: Failed with result 'exit-code'.",
                "[\u001b[0;1;31mFAILED\u001b[0m] Failed to start \u001b[0;1;39mlighttpd.service\u001b[0m - Lighttpd Daemon.",
                "See 'systemctl status lighttpd.service' for details.",
                "[  OK  ] Reached target \u001b[0;1;39mmulti-user.target\u001b[0m - Multi-User System.",
                "You are in emergency mode. After logging in, type \"journalctl -xb\" to view", ""));
        FileResult r = ANALYZER.analyze(log);
        assertThat(r.verdict()).isEqualTo("fail");
        assertThat(r.findings()).filteredOn(f -> f.category() == Category.ERROR)
                .extracting(OfflineAnalyzer.Finding::title)
                .anySatisfy(t -> assertThat(t).startsWith("systemd: failed to start lighttpd.service"));
        assertThat(r.findings()).extracting(OfflineAnalyzer.Finding::title)
                .anySatisfy(t -> assertThat(t).contains("lighttpd.service failed with result exit-code"));
        assertThat(r.findings()).filteredOn(f -> f.category() == Category.CRITICAL)
                .extracting(OfflineAnalyzer.Finding::title).contains("systemd: emergency mode");
    }

    /** What a debian-* profile's test step `systemd-analyze time` printed on the recorded first boot. */
    @Test
    void systemdAnalyzeOfARealBootGivesKernelUserspaceAndTotalMetrics(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path out = Files.writeString(dir.resolve("systemd-analyze.log"),
                "Startup finished in 28.701s (kernel) + 6min 36.055s (userspace) = 7min 4.757s \n"
                        + "graphical.target reached after 5min 40.435s in userspace.\n");
        FileResult r = ANALYZER.analyze(out);
        assertThat(r.findings()).filteredOn(f -> f.category() == Category.METRIC)
                .extracting(OfflineAnalyzer.Finding::pattern, OfflineAnalyzer.Finding::value)
                .contains(org.assertj.core.groups.Tuple.tuple("metric.systemd-boot-kernel", 28.701),
                        org.assertj.core.groups.Tuple.tuple("metric.systemd-boot-userspace", 396.055),
                        org.assertj.core.groups.Tuple.tuple("metric.systemd-boot-total", 424.757));
    }

    /** The worker's lines (JobRunner) that the time-to-SSH metrics read. */
    @Test
    void timeToSshIsReadFromTheWorkersLines() {
        PatternLibrary library = PatternLibrary.builtIn();
        var first = java.util.regex.Pattern.compile(library.pattern("metric.time-to-ssh").orElseThrow().regex())
                .matcher("ssh up 342118 ms after the domain was created");
        assertThat(first.find()).isTrue();
        assertThat(first.group("ms")).isEqualTo("342118");
        var reboot = java.util.regex.Pattern.compile(library.pattern("metric.reboot-to-ssh").orElseThrow().regex())
                .matcher("guest back after the reboot in 95012 ms");
        assertThat(reboot.find()).isTrue();
        assertThat(reboot.group("ms")).isEqualTo("95012");
    }

    private static Path sample(String name) throws Exception {
        return Path.of(RealDebianConsoleTest.class.getClassLoader().getResource("samples/real-debian/" + name).toURI());
    }
}
