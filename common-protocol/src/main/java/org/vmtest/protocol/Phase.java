package org.vmtest.protocol;

/** The phases a job goes through, in this order. A job may end in any of them. */
public enum Phase {
    PROVISIONING,
    INSTALLATION,
    REBOOT,
    TESTING,
    REPORTING
}
