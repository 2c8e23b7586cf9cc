package org.vmtest.analyzer.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.vmtest.analyzer.offline.OfflineAnalyzer;
import org.vmtest.analyzer.offline.OfflineAnalyzer.FileResult;
import org.vmtest.protocol.Action;
import org.vmtest.protocol.Category;

/**
 * The built-in library against whole logs in the shapes real systems print: syzbot consoles with caller ids,
 * {@code dmesg} with levels, {@code dmesg -T}/{@code -x}, journal exports, serial consoles of several distributions.
 * A crash is one critical finding titled as syzbot titles it; a healthy boot fails nothing.
 */
class BuiltInLibraryTest {
    private static final PatternLibrary LIBRARY = PatternLibrary.builtIn();
    private static final OfflineAnalyzer ANALYZER = new OfflineAnalyzer(LIBRARY);
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            kernel/syzbot-kasan-slab-out-of-bounds-caller-id.log       | KASAN: slab-out-of-bounds Read in tipc_recvmsg
            kernel/kasan-use-after-free-isra-loglevel.log              | KASAN: use-after-free Write in nilfs_segctor_thread
            kernel/syzbot-kmsan-uninit-value.log                       | KMSAN: uninit-value in hsr_get_node
            kernel/syzbot-kcsan-data-race.log                          | KCSAN: data-race in __filemap_add_folio / filemap_get_pages
            kernel/syzbot-ubsan-array-index-out-of-bounds.log          | UBSAN: array-index-out-of-bounds in dbAdjTree
            kernel/syzbot-gpf-null-ptr-deref-oops-prefix.log           | general protection fault in l2cap_chan_timeout
            kernel/page-fault-vmalloc.log                              | BUG: unable to handle kernel paging request in xfrm_state_find
            kernel/null-deref-journalctl.log                           | BUG: unable to handle kernel NULL pointer dereference in drm_sched_job_done
            kernel/warning-new-format-panic-on-warn.log                | WARNING in __sta_info_destroy_part2
            kernel/warning-i915-dmesg-T.log                            | WARNING in intel_display_power_put_unchecked
            kernel/bug-at-ext4-inode-invalid-opcode.log                | kernel BUG at fs/ext4/inode.c:LINE
            kernel/syzbot-hung-task-rtnl-lock.log                      | INFO: task hung in rtnl_lock
            kernel/hung-task-jbd2-debian.log                           | INFO: task hung in jbd2_journal_commit_transaction
            kernel/syzbot-rcu-stall.log                                | INFO: rcu detected stall in hfsc_change_class
            kernel/syzbot-lockdep-recursive.log                        | possible deadlock in team_device_event
            kernel/lockdep-inconsistent-lock-state.log                 | inconsistent lock state in virtnet_poll_tx
            kernel/syzbot-memory-leak.log                              | memory leak in nci_hci_connect_gate
            kernel/refcount-underflow-use-after-free.log               | WARNING: refcount bug in nfs4_put_stid
            kernel/divide-error.log                                    | divide error in fb_var_to_videomode
            kernel/sleeping-function-invalid-context.log               | BUG: sleeping function called from invalid context in virtio_transport_recv_pkt
            kernel/soft-lockup-softlockup-panic.log                    | BUG: soft lockup in virtqueue_get_buf_ctx_split
            kernel/arm64-null-deref-internal-error.log                 | BUG: unable to handle kernel NULL pointer dereference in virtio_gpu_init
            kernel/odebug-free-active-timer.log                        | WARNING: ODEBUG bug in rose_neigh_put
            kernel/dmesg-x-gpf.log                                     | general protection fault in nla_put_ifalias
            kernel/gpf-non-canonical-split.log                         | general protection fault in nfc_llcp_sock_get
            kernel/divide-error-oops-prefix.log                        | divide error in tcp_bbr_cong_avoid
            kernel/kasan-in-memcpy-write.log                           | KASAN: slab-out-of-bounds Write in hci_le_meta_evt
            kernel/lockdep-still-has-locks-held.log                    | WARNING: still has locks held in hfsplus_file_fsync
            kernel/task-cant-die.log                                   | INFO: task can't die in nbd_queue_rq
            kernel/stack-regs-bad-value.log                            | WARNING: kernel stack regs has bad 'bp' value
            kernel/stack-frame-pointer-bad-value.log                   | WARNING: kernel stack frame pointer has bad value
            kernel/vfs-busy-inodes-after-unmount.log                   | VFS: Busy inodes after unmount (use-after-free)
            kernel/vfs-file-count-zero.log                             | VFS: Close: file count is zero (use-after-free)
            kernel/arm-unhandled-fault.log                             | Unhandled fault in sock_ioctl
            kernel/arm64-internal-error-oops.log                       | Oops in virtnet_config_changed_work
            kernel/unexpected-reboot.log                               | unexpected kernel reboot
            """)
    void kernelCrashIsExactlyOneCriticalFindingWithTheNormalisedTitle(String sample, String title) throws Exception {
        FileResult r = ANALYZER.analyze(sample(sample));
        assertThat(r.verdict()).isEqualTo("fail");
        assertThat(r.findings()).filteredOn(f -> f.category() == Category.CRITICAL).singleElement()
                .satisfies(f -> assertThat(f.title()).isEqualTo(title));
        assertThat(r.findings()).filteredOn(BuiltInLibraryTest::failing).hasSize(1);
    }

    static Stream<Path> healthyLogs() throws Exception {
        return Files.list(sample("healthy")).sorted();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("healthyLogs")
    void healthyBootHasNoFailingFindingAndReachesItsGoal(Path log) throws Exception {
        FileResult r = ANALYZER.analyze(log);
        assertThat(r.findings()).filteredOn(BuiltInLibraryTest::failing).isEmpty();
        assertThat(r.verdict()).isEqualTo("pass");
        assertThat(r.findings()).anyMatch(f -> f.category() == Category.SUCCESS);
    }

    @Test
    void docsListEveryBuiltInPatternWithItsCategory() throws Exception {
        // the module's tests run in analyzer/: the docs are the repository's
        String docs = Files.readString(Path.of("..", "docs", "patterns.md"));
        String table = docs.substring(docs.indexOf("## Every built-in pattern, by category"));
        for (var spec : LIBRARY.patterns()) {
            String category = spec.category().name().charAt(0) + spec.category().name().substring(1).toLowerCase();
            int section = table.indexOf("### " + category + " (");
            int next = table.indexOf("\n### ", section + 1);
            String rows = table.substring(section, next < 0 ? table.length() : next);
            assertThat(rows).as("docs/patterns.md lists %s under %s", spec.id(), category)
                    .contains("| `" + spec.id() + "` |");
        }
    }

    @Test
    void aProgramThatCrashesBeforeThePanicIsItsOwnFinding() throws Exception {
        FileResult r = ANALYZER.analyze(sample("kernel/panic-attempted-to-kill-init.log"));
        assertThat(r.findings()).filteredOn(BuiltInLibraryTest::failing).extracting(OfflineAnalyzer.Finding::title)
                .containsExactly("init segfault", "Kernel panic - not syncing: Attempted to kill init! exitcode=ADDR");
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            fs/xfs-in-memory-corruption-journalctl.log     | fs.xfs-corruption         | XFS: Corruption of in-memory data (ADDR) detected
            boot/grub-file-not-found-source-location.log   | grub.file-not-found       | GRUB: file /boot/vmlinuz-6.8.0-N-generic not found
            boot/initramfs-alert-does-not-exist.log        | boot.initramfs-gave-up    | initramfs: gave up waiting for the root device
            nix/cannot-build-reason.log                    | nix.cannot-build          | nix: cannot build vmtest-agent-0.3.1
            systemd/dependency-failed-journalctl.log       | systemd.dependency-failed | systemd: dependency failed for srv-data.mount - /srv/data
            systemd/dependency-failed-journalctl.log       | systemd.emergency-mode    | systemd: emergency mode
            userspace/emergency-mode.log                   | systemd.emergency-mode    | systemd: emergency mode
            userspace/emergency-mode.log                   | systemd.unit-failed       | systemd: failed to start systemd-fsck@dev-disk-by\\x2duuid-4b2a.service - File System Check on /dev/disk/by-uuid/4b2a
            userspace/dracut-root-timeout.log              | boot.dracut-timeout       | dracut: still waiting for devices
            userspace/initramfs-gave-up-root.log           | boot.initramfs-gave-up    | initramfs: gave up waiting for the root device
            userspace/segfault.log                         | kernel.user-segfault      | vmtest-agent segfault
            userspace/dpkg-error.log                       | apt.dpkg-error            | dpkg: error processing packages
            userspace/oom-killer.log                       | kernel.oom-killed         | out of memory: killed stress-ng-vm
            fs/btrfs-errors.log                            | fs.btrfs-error            | BTRFS error: bad tree block start, mirror N want ADDR have N
            fs/xfs-metadata-corruption.log                 | fs.xfs-corruption         | XFS: Metadata corruption detected
            nix/activation-failed.log                      | nix.activation-snippet-failed | NixOS activation: snippet users failed
            nix/activation-failed.log                      | nix.switch-units-failed   | switch-to-configuration: units failed: vmtest-agent.service
            nix/activation-failed.log                      | nix.command-failed        | nix: switch-to-configuration failed with exit code N
            """)
    void failureOutsideTheKernelIsFlaggedWithItsTitle(String sample, String pattern, String title) throws Exception {
        FileResult r = ANALYZER.analyze(sample(sample));
        assertThat(r.verdict()).isEqualTo("fail");
        assertThat(r.findings()).anySatisfy(f -> {
            assertThat(f.pattern()).isEqualTo(pattern);
            assertThat(f.title()).isEqualTo(title);
        });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            kernel/syzbot-kasan-slab-out-of-bounds-caller-id.log
            kernel/syzbot-hung-task-rtnl-lock.log
            kernel/syzbot-lockdep-recursive.log
            kernel/warning-new-format-panic-on-warn.log
            kernel/null-deref-journalctl.log
            kernel/soft-lockup-softlockup-panic.log
            """)
    void theSameCrashGetsTheSameTitleAndSignatureWhateverPrefixesItsLines(String sample) throws Exception {
        List<String> bare = Files.readAllLines(sample(sample)).stream()
                .map(l -> LineText.withoutTimestamp(LineText.clean(l))).toList();
        List<UnaryOperator<String>> prefixes = List.of(
                l -> l,
                l -> "[  %d.%06d] ".formatted(4000 + l.length() % 7, l.hashCode() & 0xfffff) + l,
                l -> "[ 4021.%06d][ T%d] ".formatted(l.length() * 31, 900 + l.length() % 3) + l,
                l -> "[ 4021.000100][    C1] " + l,
                l -> "<4>[ 4021.000100] " + l,
                l -> "<3>" + l,
                l -> "Nov  6 03:00:00 buildhost kernel: " + l,
                l -> "2024-11-26T03:00:00.123456+01:00 buildhost kernel: [ 4021.000100] " + l,
                l -> "[Tue Nov 26 03:00:00 2024] " + l,
                l -> "kern  :warn  : [ 4021.000100] " + l);
        var titles = new ArrayList<String>();
        var signatures = new ArrayList<String>();
        for (UnaryOperator<String> prefix : prefixes) {
            Hit crash = onlyCritical(bare.stream().map(prefix).toList());
            titles.add(crash.title());
            signatures.add(crash.signature());
        }
        assertThat(titles).as("titles under every prefix").containsOnly(titles.get(0));
        assertThat(signatures).containsOnly(signatures.get(0));
    }

    @Test
    void prefixesBeforeTheKernelsMessageAreStripped() {
        String msg = "BUG: KASAN: slab-use-after-free in tcp_close+0x1a/0x30";
        for (String line : List.of("[  123.456789] " + msg, "[  123.456789][ T1234] " + msg, "[  123.456789][    C0] " + msg,
                "[  123.456789] [ T1234] " + msg, "<3>[  123.456789] " + msg, "<3>" + msg, "<12>[    0.000001][    T1] " + msg,
                "Nov 26 03:00:00 host kernel: " + msg, "Nov  6 03:00:00 host kernel: [  123.456789] " + msg,
                "2024-11-26T03:00:00+0000 host kernel: " + msg, "2024-11-26T03:00:00.654321+01:00 host kernel: " + msg,
                "[Tue Nov 26 03:00:00 2024] " + msg, "kern  :err   : [  123.456789] " + msg, "kern  :warn  : " + msg)) {
            assertThat(LineText.withoutTimestamp(line)).as(line).isEqualTo(msg);
        }
    }

    @Test
    void linesThatOnlyLookLikePrefixesAreLeftAlone() {
        for (String line : List.of("[  OK  ] Started Journal Service.", "[FAILED] Failed to start foo.service.",
                "Nov 26 03:00:00 host systemd[1]: Started Journal Service.", "<<< NixOS Stage 1 >>>",
                "[1/2/3 built] building foo", "kernel: looks like a prefix", "selftest: ok", "[ T1] no timestamp first")) {
            assertThat(LineText.withoutTimestamp(line)).as(line).isEqualTo(line);
        }
    }

    @Test
    void titlesDropSourceLineNumbersAndCompilerCloneSuffixes() {
        assertThat(Titles.normalise("kernel BUG at fs/ext4/inode.c:2650")).isEqualTo("kernel BUG at fs/ext4/inode.c:LINE");
        assertThat(Titles.normalise("UBSAN: shift-out-of-bounds in fs/ext4/super.c:4190:25"))
                .isEqualTo("UBSAN: shift-out-of-bounds in fs/ext4/super.c:LINE");
        assertThat(Titles.normalise("KASAN: use-after-free in nilfs_segctor_thread.isra.0"))
                .isEqualTo("KASAN: use-after-free in nilfs_segctor_thread");
        assertThat(Titles.normalise("general protection fault in __list_del_entry_valid.cold"))
                .isEqualTo("general protection fault in __list_del_entry_valid");
        assertThat(Titles.normalise("WARNING in foo.constprop.0.isra.0")).isEqualTo("WARNING in foo");
        assertThat(Titles.normalise("EXT4-fs error in ext4_fill_super")).isEqualTo("EXT4-fs error in ext4_fill_super");
    }

    @Test
    void kernelBugsTheSystemSurvivesFailTheJobWithoutStoppingIt() {
        for (String id : List.of("kernel.warning", "kernel.hung-task", "kernel.rcu-stall", "kernel.soft-lockup",
                "kernel.lockdep", "kernel.kcsan", "kernel.ubsan", "kernel.refcount", "kernel.memory-leak")) {
            var spec = LIBRARY.patterns().stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow();
            assertThat(spec.category()).as(id).isEqualTo(Category.CRITICAL);
            assertThat(spec.action()).as(id).isEqualTo(Action.FAIL);
        }
    }

    private static Hit onlyCritical(List<String> lines) {
        var scanner = new JobScanner(LIBRARY, Duration.ofSeconds(2));
        ScanState state = ScanState.empty();
        var hits = new ArrayList<Hit>();
        for (int i = 0; i < lines.size(); i++) {
            hits.addAll(scanner.onLine(state, i + 1, null, null, T0, lines.get(i)));
        }
        hits.addAll(scanner.onEnd(state));
        return hits.stream().filter(h -> h.pattern().category() == Category.CRITICAL).reduce((a, b) -> {
            throw new AssertionError("more than one critical hit: " + a.title() + " and " + b.title());
        }).orElseThrow(() -> new AssertionError("no critical hit"));
    }

    private static boolean failing(OfflineAnalyzer.Finding f) {
        return f.action() == Action.ABORT || f.action() == Action.FAIL || f.category() == Category.CRITICAL
                || f.category() == Category.ERROR || f.category() == Category.FAILURE;
    }

    private static Path sample(String name) throws Exception {
        return Path.of(BuiltInLibraryTest.class.getClassLoader().getResource("samples/" + name).toURI());
    }
}
