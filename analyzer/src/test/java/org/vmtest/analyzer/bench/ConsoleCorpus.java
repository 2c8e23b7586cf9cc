package org.vmtest.analyzer.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Console-like lines for benchmarks and differential tests: healthy boot, systemd, nix and installer lines with
 * varying numbers and addresses, and, rarely, lines of real failure reports taken from the test samples.
 */
public final class ConsoleCorpus {
    private static final String[] HEALTHY = {
        "[%T] virtio_blk virtio1: [vda] %D 512-byte logical blocks (%D.%D GB/%D.%D GiB)",
        "[%T] EXT4-fs (vda%D): mounted filesystem with ordered data mode. Quota mode: none.",
        "[%T] pci 0000:00:%D.0: [8086:%H] type 00 class 0x%H",
        "[%T] ACPI: PCI Interrupt Link [LNK%D] enabled at IRQ %D",
        "[%T] clocksource: tsc: mask: 0xffffffffffffffff max_cycles: 0x%H, max_idle_ns: %D ns",
        "[%T] audit: type=1400 audit(%D.%D:%D): apparmor=\"STATUS\" operation=\"profile_load\" name=\"/usr/bin/man\" pid=%D",
        "[%T] systemd[1]: Started Journal Service.",
        "[  OK  ] Started systemd-udevd.service - Rule-based Manager for Device Events and Files.",
        "[  OK  ] Reached target sysinit.target - System Initialization.",
        "         Starting systemd-tmpfiles-setup.service - Create Volatile Files and Directories...",
        "[  OK  ] Finished systemd-tmpfiles-setup.service - Create Volatile Files and Directories.",
        "[%T] IPv6: ADDRCONF(NETDEV_CHANGE): eth%D: link becomes ready",
        "[%T] random: crng init done",
        "[%T] NET: Registered PF_INET6 protocol family",
        "[%T] input: ImExPS/2 Generic Explorer Mouse as /devices/platform/i8042/serio1/input/input%D",
        "copying path '/nix/store/%N-glibc-2.39-%D' from 'https://cache.nixos.org'...",
        "building '/nix/store/%N-unit-script-nginx-start.drv'...",
        "vmtest-install: [%P%%] copying base system",
        "vmtest-flood %D",
        "Setting up libssl3:amd64 (3.0.%D-1~deb12u1) ...",
        "Unpacking libc6:amd64 (2.36-9+deb12u%D) over (2.36-9+deb12u%D) ...",
        "nginx: [notice] worker process %D exited with code 0",
        "sshd[%D]: Accepted publickey for root from 10.0.2.2 port %D ssh2: ED25519 SHA256:%N",
        "kernel: usb 1-1: new high-speed USB device number %D using xhci_hcd",
        "GET /api/v1/health HTTP/1.1 200 %D \"-\" \"curl/7.88.1\"",
        "[%T] traps: error reporting is fine here: nothing to see at 0x%H",
        "Compiling regex_automata v0.4.%D",
        "test tests::parses_config_%D ... ok",
        "make[%D]: Entering directory '/build/source/src'",
        "gcc -O2 -Wall -c -o obj/%N.o src/%N.c",
    };

    private final List<String> failures;

    public ConsoleCorpus() {
        failures = new ArrayList<>();
        for (String sample : List.of("kernel/null-deref-oops-panic.log", "kernel/kasan-use-after-free.log",
                "kernel/warning-ext4.log", "systemd/failed-unit-emergency.log", "nix/builder-failed.log",
                "fs/ext4-io-errors.log", "kernel/hung-task.log")) {
            failures.addAll(sampleLines(sample));
        }
    }

    /** {@code n} lines; about one in {@code 1/failureRate} is a line of a failure report. */
    public String[] generate(long seed, int n, double failureRate) {
        var random = new SplittableRandom(seed);
        String[] lines = new String[n];
        for (int i = 0; i < n; i++) {
            lines[i] = random.nextDouble() < failureRate ? failures.get(random.nextInt(failures.size()))
                    : fill(HEALTHY[random.nextInt(HEALTHY.length)], random);
        }
        return lines;
    }

    /** The lines of a whole kernel crash report (an oops followed by the panic), as the console prints them. */
    public static List<String> panic() {
        return sampleLines("kernel/null-deref-oops-panic.log");
    }

    /** A healthy console line, the same for the same {@code i}. */
    public static String line(long i) {
        var random = new SplittableRandom(i * 0x9E3779B97F4A7C15L);
        return fill(HEALTHY[(int) Long.remainderUnsigned(i, HEALTHY.length)], random);
    }

    public static List<String> sampleLines(String sample) {
        try (InputStream in = ConsoleCorpus.class.getClassLoader().getResourceAsStream("samples/" + sample)) {
            if (in == null) throw new IllegalArgumentException("no sample " + sample);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String fill(String template, SplittableRandom random) {
        var out = new StringBuilder(template.length() + 32);
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c != '%' || i + 1 == template.length()) {
                out.append(c);
                continue;
            }
            char k = template.charAt(++i);
            switch (k) {
                case 'T' -> out.append(String.format("%5d.%06d", random.nextInt(3000), random.nextInt(1_000_000)));
                case 'D' -> out.append(random.nextInt(100_000));
                case 'P' -> out.append(String.format("%3d", random.nextInt(101)));
                case 'H' -> out.append(Long.toHexString(random.nextLong()));
                case 'N' -> {
                    for (int j = 0; j < 32; j++) out.append("0123456789abcdfghijklmnpqrsvwxyz".charAt(random.nextInt(32)));
                }
                case '%' -> out.append('%');
                default -> out.append('%').append(k);
            }
        }
        return out.toString();
    }
}
