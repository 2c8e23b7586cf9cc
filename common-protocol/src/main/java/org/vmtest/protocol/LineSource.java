package org.vmtest.protocol;

/** Where a streamed line came from. */
public enum LineSource {
    /** The guest's serial console. */
    CONSOLE,
    /** Standard output of a command run in the guest over SSH. */
    SSH_STDOUT,
    /** Standard error of a command run in the guest over SSH. */
    SSH_STDERR,
    /** The worker itself: what it did to the VM (started, rebooted, destroyed). */
    WORKER
}
