package org.vmtest.worker.vm;

/** Receives a VM's console output as the guest prints it, on the VM's console thread. */
public interface ConsoleListener {
    /** {@code buf} is only valid during the call. */
    void bytes(byte[] buf, int len);

    /** The console ended: the domain is gone, or the libvirt connection the console came through broke. */
    default void ended() {
    }
}
