package org.vmtest.analyzer.stream;

import java.util.ArrayList;
import java.util.List;

/** Console output as the Debian 6.1 kernel prints it, for the topology tests. */
public final class KernelReports {
    private KernelReports() {
    }

    public static List<String> healthyInstallLines() {
        return List.of(
                "[    0.000000] Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)",
                "[    0.000000] Command line: console=ttyS0 panic=0 vmtest.scenario=panic",
                "[    1.204311] Freeing unused kernel image (initmem) memory: 2804K",
                "[    1.210003] Run /init as init process",
                "vmtest-install: partitioning /dev/vda",
                "vmtest-install: 25% copying base system");
    }

    /** A panic with a deep call trace: 30 lines from the panic line to its end marker. */
    public static List<String> panicReport() {
        List<String> lines = new ArrayList<>();
        lines.add("[   14.532218] Kernel panic - not syncing: sysrq triggered crash");
        lines.add("[   14.532901] CPU: 0 PID: 211 Comm: vmtest-install Not tainted 6.1.0-18-amd64 #1  Debian 6.1.76-1");
        lines.add("[   14.533517] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014");
        lines.add("[   14.534120] Call Trace:");
        lines.add("[   14.534342]  <TASK>");
        String[] frames = {
            "dump_stack_lvl+0x44/0x5c", "panic+0x118/0x2ed", "sysrq_handle_crash+0x16/0x20",
            "__handle_sysrq.cold+0x43/0x11b", "write_sysrq_trigger+0x24/0x40", "proc_reg_write+0x56/0xa0",
            "vfs_write+0xc9/0x3f0", "? __do_sys_newfstat+0x57/0x60", "ksys_write+0x6b/0xf0", "__x64_sys_write+0x19/0x20",
            "do_syscall_64+0x55/0xb0", "? exit_to_user_mode_prepare+0x40/0x1e0",
            "? syscall_exit_to_user_mode+0x17/0x40", "? do_syscall_64+0x61/0xb0",
            "? handle_mm_fault+0xdb/0x2d0", "? do_user_addr_fault+0x1b0/0x560", "? exc_page_fault+0x70/0x170",
            "entry_SYSCALL_64_after_hwframe+0x6e/0xd8"};
        long usec = 534_500;
        for (String frame : frames) {
            lines.add(String.format("[   14.%06d]  %s", usec, frame));
            usec += 37;
        }
        lines.add("[   14.535201] RIP: 0033:0x7f6a8c4f1e37");
        lines.add("[   14.535390] RSP: 002b:00007ffd1fb1d338 EFLAGS: 00000246 ORIG_RAX: 0000000000000001");
        lines.add("[   14.535801] RAX: ffffffffffffffda RBX: 0000000000000002 RCX: 00007f6a8c4f1e37");
        lines.add("[   14.536003] RDX: 0000000000000002 RSI: 000055d6c0a3b2a0 RDI: 0000000000000001");
        lines.add("[   14.536211]  </TASK>");
        lines.add("[   14.536502] Kernel Offset: 0x2a000000 from 0xffffffff81000000 (relocation range: 0xffffffff80000000-0xffffffffbfffffff)");
        lines.add("[   14.537001] ---[ end Kernel panic - not syncing: sysrq triggered crash ]---");
        if (lines.size() != 30) throw new IllegalStateException("the report should have 30 lines, has " + lines.size());
        return lines;
    }
}
