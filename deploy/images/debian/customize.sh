#!/bin/bash
# mmdebstrap customize hook: $1 is the finished root. Configures it as a vmtest guest and makes it small.
set -euo pipefail
root=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cp -a "$here/rootfs/." "$root/"
echo debian > "$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 debian\n' > "$root/etc/hosts"
: > "$root/etc/machine-id"            # a fresh id at first boot
echo 'en_US.UTF-8 UTF-8' > "$root/etc/locale.gen"
chroot "$root" locale-gen >/dev/null
echo 'LANG=en_US.UTF-8' > "$root/etc/default/locale"
chroot "$root" systemctl enable systemd-networkd.service serial-getty@ttyS0.service >/dev/null 2>&1
# no root password; logins only with the key cloud-init installs
chroot "$root" passwd -d root >/dev/null
# the service profiles install: lighttpd's packages, downloaded, not installed
mkdir -p "$root/opt/vmtest/debs"
chroot "$root" apt-get -q update >/dev/null
chroot "$root" apt-get install -y -q --download-only lighttpd >/dev/null
cp "$root"/var/cache/apt/archives/*.deb "$root/opt/vmtest/debs/"
# kernel modules a virtio guest never loads (most of the module tree's size)
kmods=$(ls -d "$root"/lib/modules/*/kernel)
for d in drivers/gpu drivers/media drivers/net/wireless drivers/net/ethernet drivers/infiniband drivers/staging \
         drivers/isdn drivers/bluetooth drivers/iio drivers/usb/gadget drivers/input/touchscreen drivers/mtd \
         drivers/scsi/qla2xxx drivers/scsi/lpfc drivers/scsi/mpt3sas drivers/net/can sound net/wireless \
         net/mac80211 net/bluetooth; do
    rm -rf "${kmods:?}/$d"
done
for k in "$root"/lib/modules/*; do chroot "$root" depmod "$(basename "$k")"; done
chroot "$root" update-initramfs -u -k all >/dev/null 2>&1
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/*/changelog*
rm -f "$root"/etc/ssh/ssh_host_*     # each boot of a fresh image makes its own (sshd-keygen / cloud-init)
