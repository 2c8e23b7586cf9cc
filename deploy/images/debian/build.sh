#!/bin/bash
# Builds real Debian 12 guests from Debian packages (see README.md beside this file).
#
#   deploy/images/debian/build.sh [OUTDIR]        (as root)
#
# OUTDIR: $1, else $VMTEST_DEBIAN_DIR, else <repo>/vmtest-out/guest/debian (inside the worker's image directory,
# so profiles name the images debian/...). Knobs: VMTEST_CACHE_DIR (default <repo>/vmtest-out/cache; keeps the
# root filesystem archive between builds), VMTEST_DEBIAN_DISK_MIB (virtual size of the disk, default 2048),
# VMTEST_DEBIAN_FORCE=1 (rebuild).
#
# Produces in OUTDIR:
#   debian-12.qcow2   GPT disk booting through GRUB with BIOS (core.img in a BIOS boot partition) and with UEFI
#                     (\EFI\BOOT\BOOTX64.EFI on the ESP): Debian kernel, systemd, openssh-server, cloud-init
#                     (NoCloud only), serial console on ttyS0; lighttpd's packages carried in /opt/vmtest/debs,
#                     not installed (profiles install them)
#   debian.properties what was built, and the cache key
# Cached: when OUTDIR holds a build with the same key (hash of the apt lists and of this directory), it prints
# "debian-image: up to date (OUTDIR)" and exits 0.
set -euo pipefail
# Debian's own tools first: mmdebstrap's helpers run "env python3", which must be Debian's python3
export PATH="/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin:$PATH"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
out=${1:-${VMTEST_DEBIAN_DIR:-$repo/vmtest-out/guest/debian}}
cache=${VMTEST_CACHE_DIR:-$repo/vmtest-out/cache}
disk_mib=${VMTEST_DEBIAN_DISK_MIB:-2048}
suite=bookworm
cmdline="console=ttyS0,115200n8 net.ifnames=0"

say() { echo "debian-image: $*"; }
die() { echo "debian-image: ERROR: $*" >&2; exit 1; }

# ---- tools -------------------------------------------------------------------------
missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$1 (package $2)"); }
need mmdebstrap mmdebstrap
need sfdisk fdisk
need mke2fs e2fsprogs
need mkfs.vfat dosfstools
need mcopy mtools
need mmd mtools
need grub-mkimage grub-common
need qemu-img qemu-utils
need sha256sum coreutils
[ -f /usr/lib/grub/i386-pc/boot.img ] || missing+=("/usr/lib/grub/i386-pc (package grub-pc-bin)")
[ -d /usr/lib/grub/x86_64-efi ] || missing+=("/usr/lib/grub/x86_64-efi (package grub-efi-amd64-bin)")
if [ ${#missing[@]} -gt 0 ]; then
    echo "debian-image: ERROR: missing tools:" >&2
    printf '  %s\n' "${missing[@]}" >&2
    echo "debian-image: run deploy/host-setup.sh (as root) or apt-get install the packages named" >&2
    exit 1
fi
[ "$(id -u)" = 0 ] || die "run as root (mmdebstrap's root mode, chroot)"

# ---- cache key ---------------------------------------------------------------------
# The apt lists stand for the package versions: a new list (apt-get update) may bring new versions.
lists_key=$(stat -c '%n %Y %s' /var/lib/apt/lists/*Packages* 2>/dev/null | sha256sum | cut -c1-16)
tree_hash() { (cd "$here" && { find "$@" \( -type f -o -type l \) -printf '%p %m %l\n' | LC_ALL=C sort;
    find "$@" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum; } | sha256sum | cut -c1-64); }
# the root filesystem depends on rootfs.sh, customize.sh and rootfs/ only: editing the rest keeps the archive
rootfs_key=$(printf '%s\n' "lists=$lists_key" "scripts=$(tree_hash rootfs.sh customize.sh rootfs)" | sha256sum | cut -c1-32)
build_key=$(printf '%s\n' "rootfs=$rootfs_key" "disk=$disk_mib" "cmdline=$cmdline" \
    "scripts=$(tree_hash build.sh fstab.in grub.cfg.in)" | sha256sum | cut -c1-64)

if [ "${VMTEST_DEBIAN_FORCE:-0}" != 1 ] && [ -f "$out/debian.properties" ] \
   && grep -qx "build.hash=$build_key" "$out/debian.properties" && [ -s "$out/debian-12.qcow2" ]; then
    say "up to date ($out)"
    exit 0
fi
say "building in $out"
t_start=$(date +%s)
mkdir -p "$cache" "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/vmtest-debian-build.XXXXXX")
cleanup() {
    mountpoint -q "$work/root/proc" 2>/dev/null && umount "$work/root/proc" || true
    rm -rf "$work"
}
trap cleanup EXIT

# ---- root filesystem (cached as an archive) ----------------------------------------
rootfs_tar="$cache/debian-12-rootfs-$rootfs_key.tar"
if [ ! -s "$rootfs_tar" ]; then
    rm -f "$cache"/debian-12-rootfs-*.tar
    "$here/rootfs.sh" "$suite" "$rootfs_tar.part.tar" || die "mmdebstrap failed"
    mv "$rootfs_tar.part.tar" "$rootfs_tar"
fi

# ---- disk: GPT with BIOS boot, ESP and root partitions ------------------------------
# Each filesystem is built as a file (mke2fs -d, mtools) and placed with dd: no loop devices, no mounts.
root="$work/root"
mkdir -p "$root"
tar -C "$root" -xpf "$rootfs_tar"
kver=$(ls "$root/boot" | sed -n 's/^vmlinuz-//p' | sort -V | tail -n 1)
[ -n "$kver" ] || die "no kernel in the root filesystem"
root_uuid=$(cat /proc/sys/kernel/random/uuid)
esp_serial=$(printf '%08X' $(( (RANDOM << 16) ^ RANDOM )))
esp_uuid="${esp_serial:0:4}-${esp_serial:4:4}"
sed -e "s/@ROOT_UUID@/$root_uuid/g" -e "s/@ESP_UUID@/$esp_uuid/g" "$here/fstab.in" > "$root/etc/fstab"
# modules for hardware a vmtest domain does not have or need: probing them costs boot time under TCG, and the floppy
# driver logs I/O errors at priority err when QEMU offers a drive without a disk
mkdir -p "$root/etc/modprobe.d"
printf 'blacklist %s\n' floppy parport_pc ppdev kvm kvm_amd kvm_intel > "$root/etc/modprobe.d/vmtest-blacklist.conf"
mkdir -p "$root/boot/grub" "$root/boot/efi"
sed -e "s/@ROOT_UUID@/$root_uuid/g" -e "s/@KVER@/$kver/g" -e "s|@CMDLINE@|$cmdline|g" "$here/grub.cfg.in" > "$root/boot/grub/grub.cfg"
cp -a /usr/lib/grub/i386-pc "$root/boot/grub/" 2>/dev/null || true
cp -a /usr/lib/grub/x86_64-efi "$root/boot/grub/" 2>/dev/null || true
rm -f "$root"/boot/grub/*/*.image "$root"/boot/grub/x86_64-efi/*.efi 2>/dev/null || true

# layout (512-byte sectors): 1 MiB gap | 1 MiB BIOS boot | 32 MiB ESP | root to the end
bios_start=2048; bios_sectors=2048
esp_start=4096; esp_sectors=65536
root_start=$(( esp_start + esp_sectors ))
total_sectors=$(( disk_mib * 2048 ))
root_sectors=$(( total_sectors - root_start - 34 ))
raw="$work/disk.raw"
truncate -s "${disk_mib}M" "$raw"
sfdisk -q "$raw" <<SFDISK
label: gpt
start=$bios_start, size=$bios_sectors, type=21686148-6449-6E6F-744E-656564454649, name="bios"
start=$esp_start, size=$esp_sectors, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="esp"
start=$root_start, size=$root_sectors, type=0FC63DAF-8483-4772-8E79-3D69C47728E4, name="root"
SFDISK

say "grub images (BIOS core.img, EFI BOOTX64.EFI)"
cat > "$work/early.cfg" <<CFG
search --no-floppy --fs-uuid --set=root $root_uuid
set prefix=(\$root)/boot/grub
configfile (\$root)/boot/grub/grub.cfg
CFG
mods="part_gpt part_msdos ext2 fat search search_fs_uuid configfile normal linux echo test serial terminal gzio all_video"
grub-mkimage -O i386-pc -o "$work/core.img" -c "$work/early.cfg" -p /boot/grub biosdisk $mods
grub-mkimage -O x86_64-efi -o "$work/BOOTX64.EFI" -c "$work/early.cfg" -p /boot/grub efi_gop $mods
core_sectors=$(( ($(stat -c %s "$work/core.img") + 511) / 512 ))
[ "$core_sectors" -le "$bios_sectors" ] || die "core.img ($core_sectors sectors) does not fit the BIOS boot partition"
# What grub-bios-setup does for a GPT disk: boot.img in the MBR (keeping the protective partition table) pointing at
# core.img's first sector; core.img's first sector (diskboot) holding the blocklist of the rest.
python3 - "$raw" "$work/core.img" /usr/lib/grub/i386-pc/boot.img "$bios_start" <<'PY'
import struct, sys
raw, core_path, boot_path, start = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
boot = bytearray(open(boot_path, 'rb').read())
core = bytearray(open(core_path, 'rb').read())
core += b'\0' * (-len(core) % 512)
struct.pack_into('<Q', boot, 0x5c, start)       # GRUB_BOOT_MACHINE_KERNEL_SECTOR
boot[0x66:0x68] = b'\x90\x90'                   # GRUB_BOOT_MACHINE_DRIVE_CHECK: not a floppy
struct.pack_into('<QH', core, 0x200 - 12, start + 1, len(core) // 512 - 1)   # diskboot's blocklist
with open(raw, 'r+b') as f:
    mbr = bytearray(f.read(512))
    mbr[0:0x1b8] = boot[0:0x1b8]                # code only: the partition table and signature stay
    f.seek(0); f.write(mbr)
    f.seek(start * 512); f.write(core)
PY

esp="$work/esp.img"
mkfs.vfat -C -i "$esp_serial" -n ESP "$esp" $(( esp_sectors / 2 )) >/dev/null
mmd -i "$esp" ::/EFI ::/EFI/BOOT
mcopy -i "$esp" "$work/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
dd if="$esp" of="$raw" bs=512 seek="$esp_start" conv=notrunc status=none

say "root filesystem ($((root_sectors / 2048)) MiB, ext4)"
rootimg="$work/root.img"
mke2fs -q -t ext4 -U "$root_uuid" -L debian-root -d "$root" "$rootimg" "$(( root_sectors / 2 ))k"
dd if="$rootimg" of="$raw" bs=4M seek=$(( root_start * 512 )) oflag=seek_bytes conv=notrunc,sparse status=none
rm -f "$rootimg"
qemu-img convert -q -c -O qcow2 "$raw" "$work/debian-12.qcow2"

{
    echo "# Debian 12 guest, built by deploy/images/debian/build.sh"
    echo "kernel.version=$kver"
    echo "root.uuid=$root_uuid"
    echo "disk=debian-12.qcow2"
    echo "disk.size.mib=$disk_mib"
    echo "cmdline=$cmdline"
    echo "build.hash=$build_key"
    echo "built.at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$work/debian.properties"
rm -f "$out/debian.properties"
mv -f "$work/debian-12.qcow2" "$out/debian-12.qcow2"
mv -f "$work/debian.properties" "$out/debian.properties"
say "built in $(( $(date +%s) - t_start ))s: $out/debian-12.qcow2 ($(du -m "$out/debian-12.qcow2" | cut -f1) MiB on disk, ${disk_mib} MiB virtual; rootfs archive $(du -m "$rootfs_tar" | cut -f1) MiB)"
