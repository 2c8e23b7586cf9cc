#!/bin/bash
# Makes the Debian 12 root filesystem archive of the vmtest guests: rootfs.sh SUITE OUT.tar (as root).
# minbase + systemd, the kernel, openssh-server, cloud-init, GRUB's modules (for installers); no documentation.
set -euo pipefail
export PATH="/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin:$PATH"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
suite=$1
out=$2
echo "debian-image: mmdebstrap $suite (minbase + systemd, kernel, openssh-server, cloud-init)"
# no documentation, manual pages or translations in the image
mmdebstrap --mode=root --variant=minbase --components=main \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --dpkgopt='path-exclude=/usr/share/lintian/*' \
    --include=systemd-sysv,udev,dbus,libpam-systemd,linux-image-amd64,initramfs-tools,zstd,openssh-server,cloud-init,sudo,locales,iproute2,e2fsprogs,fdisk,dosfstools,grub-pc-bin,grub-efi-amd64-bin,grub2-common,ca-certificates,netbase \
    --essential-hook='mkdir -p "$1/etc/initramfs-tools/conf.d" && cp "'"$here"'/rootfs/etc/initramfs-tools/conf.d/vmtest.conf" "$1/etc/initramfs-tools/conf.d/"' \
    --customize-hook='"'"$here"'/customize.sh" "$1"' \
    "$suite" "$out" http://deb.debian.org/debian
