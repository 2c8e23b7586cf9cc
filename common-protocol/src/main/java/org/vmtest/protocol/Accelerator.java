package org.vmtest.protocol;

/** How QEMU runs guest code. AUTO lets the worker use what its probe found working. */
public enum Accelerator {
    AUTO,
    KVM,
    TCG
}
