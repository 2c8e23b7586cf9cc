package org.vmtest.analyzer.bench;

import java.util.List;
import java.util.Locale;

/**
 * Console-like lines for the pipeline benchmark: kernel boot messages, systemd, nix copying and building, an
 * installer's progress, now and then a warning, in the proportions a NixOS install shows.
 */
final class ConsoleCorpus {
    private static final String[] KERNEL = {
        "[%s] pci 0000:00:%02x.0: [8086:7010] type 00 class 0x010180",
        "[%s] virtio_blk virtio%d: [vda] 41943040 512-byte logical blocks (21.5 GB/20.0 GiB)",
        "[%s] EXT4-fs (vda%d): mounted filesystem with ordered data mode. Quota mode: none.",
        "[%s] audit: type=1400 audit(1709280000.%03d:2): apparmor=\"STATUS\" operation=\"profile_load\"",
        "[%s] random: crng init done",
        "[%s] e1000 0000:00:03.0 eth0: (PCI:33MHz:32-bit) 52:54:00:12:34:%02x",
        "[%s] usb usb%d: New USB device found, idVendor=1d6b, idProduct=0002, bcdDevice= 6.01",
    };
    private static final String[] SYSTEMD = {
        "[  OK  ] Started Journal Service.",
        "[  OK  ] Reached target Local File Systems.",
        "         Starting Load Kernel Module configfs...",
        "[  OK  ] Finished Create Volatile Files and Directories.",
        "[  OK  ] Started Network Time Synchronization.",
    };
    private static final String[] NIX = {
        "copying path '/nix/store/%08x0a9v6l2qz5m1c3k8x4h7n2p9r6s1w0y-glibc-2.39-52' from 'https://cache.nixos.org'...",
        "building '/nix/store/%08xb2mzqk1f6c9h3v8r5x0n4l7j2w9d1s-etc.drv'...",
        "installing the boot loader...",
        "setting up /etc... (%d files)",
        "vmtest-install: %d%% copying base system",
    };
    private static final List<String> WARNINGS = List.of(
        "[%s] ACPI Warning: SystemIO range 0x0000000000000B00-0x0000000000000B08 conflicts with OpRegion",
        "[%s] systemd[1]: /etc/systemd/system/vmtest.service:7: Unknown key name 'Foo' in section 'Service', ignoring.");

    private ConsoleCorpus() {
    }

    /** The {@code i}-th line of a healthy job's console. */
    static String line(long i) {
        int kind = (int) (i % 20);
        int n = (int) ((i * 2654435761L >>> 7) & 0x7fffffff);
        String ts = String.format(Locale.ROOT, "%5d.%06d", i / 1000, (i * 997) % 1_000_000);
        if (kind < 9) return String.format(Locale.ROOT, KERNEL[n % KERNEL.length], ts, n & 0x1f);
        if (kind < 13) return SYSTEMD[n % SYSTEMD.length];
        if (kind < 19) return String.format(Locale.ROOT, NIX[n % NIX.length], n, n % 101);
        return String.format(Locale.ROOT, WARNINGS.get(n % WARNINGS.size()), ts);
    }

    /** A kernel panic as the console shows it, from the panic line to its end marker. */
    static List<String> panic() {
        return List.of(
            "[   14.532218] Kernel panic - not syncing: sysrq triggered crash",
            "[   14.532901] CPU: 0 PID: 211 Comm: vmtest-install Not tainted 6.1.0-18-amd64 #1  Debian 6.1.76-1",
            "[   14.533517] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014",
            "[   14.534120] Call Trace:",
            "[   14.534342]  <TASK>",
            "[   14.534500]  dump_stack_lvl+0x44/0x5c",
            "[   14.534537]  panic+0x118/0x2ed",
            "[   14.534574]  sysrq_handle_crash+0x16/0x20",
            "[   14.534611]  __handle_sysrq.cold+0x43/0x11b",
            "[   14.534648]  write_sysrq_trigger+0x24/0x40",
            "[   14.534685]  entry_SYSCALL_64_after_hwframe+0x6e/0xd8",
            "[   14.536211]  </TASK>",
            "[   14.536502] Kernel Offset: 0x2a000000 from 0xffffffff81000000 (relocation range: 0xffffffff80000000-0xffffffffbfffffff)",
            "[   14.537001] ---[ end Kernel panic - not syncing: sysrq triggered crash ]---");
    }
}
