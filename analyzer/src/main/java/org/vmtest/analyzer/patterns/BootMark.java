package org.vmtest.analyzer.patterns;

/**
 * What a pattern's line says about the kernel's life in the VM, for the one finding no single line can make: an
 * unexpected reboot. The first {@link #KERNEL_START} of a job is its boot; a later one is a finding unless the job is
 * in its reboot phase, or a crash or an orderly {@link #KERNEL_STOP} came since the previous one.
 */
enum BootMark {
    /** The pattern matches a kernel's boot banner ({@code Linux version ...}). */
    KERNEL_START,
    /** The pattern matches the last words of an orderly restart or power-off ({@code reboot: Restarting system}). */
    KERNEL_STOP
}
