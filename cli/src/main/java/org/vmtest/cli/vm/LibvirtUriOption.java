package org.vmtest.cli.vm;

import picocli.CommandLine.Option;

/** {@code --libvirt-uri}: the libvirt connection of the commands that talk to libvirt on this host. */
public final class LibvirtUriOption {
    @Option(names = "--libvirt-uri", paramLabel = "URI", defaultValue = "${env:VMTEST_LIBVIRT_URI:-qemu:///system}",
            description = "libvirt connection URI (default: $VMTEST_LIBVIRT_URI or qemu:///system)")
    String uri;

    public String uri() {
        return uri;
    }
}
