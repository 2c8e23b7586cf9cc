#!/bin/bash
# Builds the vmtest test guest from Debian packages (see README.md beside this file).
#
#   deploy/test-guest/build.sh [OUTDIR]
#
# OUTDIR: $1, else $VMTEST_GUEST_DIR, else <repo>/vmtest-out/guest.
# Downloaded .debs are kept in $VMTEST_CACHE_DIR (default <repo>/vmtest-out/cache).
# Other knobs: VMTEST_KERNEL_PACKAGE=linux-image-6.1.0-NN-amd64 (skip the apt lookup),
# VMTEST_GUEST_DISK_MIB (size of base.qcow2, default 64), VMTEST_GUEST_FORCE=1 (rebuild).
#
# Produces in OUTDIR: vmlinuz, initrd.img, base.qcow2, guest.properties.
# Cached: when OUTDIR holds a build with the same key (package versions + hash of this
# script and rootfs/), it prints "test-guest: up to date (OUTDIR)" and exits 0.
set -euo pipefail
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:-${VMTEST_GUEST_DIR:-$repo/vmtest-out/guest}}
cache=${VMTEST_CACHE_DIR:-$repo/vmtest-out/cache}
disk_mib=${VMTEST_GUEST_DISK_MIB:-64}
cmdline_base="console=ttyS0 panic=0"

say() { echo "test-guest: $*"; }
die() { echo "test-guest: ERROR: $*" >&2; exit 1; }

# ---- tools -------------------------------------------------------------------------
missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$1 (package $2)"); }
need apt-get apt
need apt-cache apt
need dpkg-deb dpkg
need dpkg-query dpkg
need depmod kmod
need modprobe kmod
need cpio cpio
need gzip gzip
need ldd libc-bin
need sha256sum coreutils
need qemu-img qemu-utils
[ -x /bin/busybox ] && /bin/busybox --list-full >/dev/null 2>&1 || missing+=("/bin/busybox (package busybox-static)")
need dropbear dropbear-bin
need dropbearkey dropbear-bin
if [ ${#missing[@]} -gt 0 ]; then
    echo "test-guest: ERROR: missing tools:" >&2
    printf '  %s\n' "${missing[@]}" >&2
    echo "test-guest: run deploy/host-setup.sh (as root) or apt-get install the packages named" >&2
    exit 1
fi
busybox_bin=/bin/busybox
if ldd "$busybox_bin" >/dev/null 2>&1; then
    die "$busybox_bin is dynamically linked: apt-get install busybox-static"
fi
dropbear_bin=$(command -v dropbear)
dropbearkey_bin=$(command -v dropbearkey)

pkgver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }
busybox_version=$(pkgver busybox-static)
dropbear_version=$(pkgver dropbear-bin)
[ -n "$busybox_version" ] || die "package busybox-static is not installed"
[ -n "$dropbear_version" ] || die "package dropbear-bin is not installed"

mkdir -p "$cache/debs"

# ---- which kernel package ----------------------------------------------------------
# apt-cache takes ~1 s here, so its answer is remembered while the apt lists are unchanged.
resolve_kernel() {
    local lists_key resolved name ver
    lists_key=$(stat -c '%n %Y %s' /var/lib/apt/lists/*Packages* 2>/dev/null | sha256sum | cut -c1-16)
    resolved="$cache/kernel-resolved.env"
    if [ -f "$resolved" ] && grep -qx "lists_key=$lists_key" "$resolved"; then
        sed -n 's/^package=//p; s/^version=//p' "$resolved" | paste -sd' '
        return 0
    fi
    # "Depends: linux-image-6.1.0-56-amd64 (= 6.1.192-2)"
    read -r name ver < <(apt-cache show --no-all-versions linux-image-amd64 2>/dev/null \
        | sed -n 's/^Depends: *\(linux-image-[0-9][^ ,]*\) *(= *\([^)]*\)).*/\1 \2/p' | head -n 1) || true
    if [ -n "${name:-}" ] && [ -n "${ver:-}" ]; then
        printf 'lists_key=%s\npackage=%s\nversion=%s\n' "$lists_key" "$name" "$ver" > "$resolved"
        echo "$name $ver"
        return 0
    fi
    # no apt lists: fall back to the newest kernel .deb already in the cache
    local deb
    deb=$(ls "$cache/debs"/linux-image-[0-9]*-amd64_*.deb 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$deb" ]; then
        echo "test-guest: warning: apt-cache cannot resolve linux-image-amd64 (run apt-get update); using cached $(basename "$deb")" >&2
        echo "$(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)"
        return 0
    fi
    return 1
}
if [ -n "${VMTEST_KERNEL_PACKAGE:-}" ]; then
    kernel_pkg=$VMTEST_KERNEL_PACKAGE
    kernel_pkgver=$(apt-cache show --no-all-versions "$kernel_pkg" 2>/dev/null | sed -n 's/^Version: //p' | head -n 1)
    [ -n "$kernel_pkgver" ] || die "apt-cache does not know $kernel_pkg (run apt-get update)"
else
    read -r kernel_pkg kernel_pkgver < <(resolve_kernel) \
        || die "cannot resolve linux-image-amd64 with apt-cache (run apt-get update)"
fi
[[ $kernel_pkg =~ ^linux-image-[0-9][A-Za-z0-9.+-]*-amd64$ ]] || die "unexpected kernel package name '$kernel_pkg'"
kernel_version=${kernel_pkg#linux-image-}

# ---- cache key ---------------------------------------------------------------------
script_hash=$(cd "$here" && { find build.sh rootfs \( -type f -o -type l \) -printf '%p %m %l\n' | LC_ALL=C sort;
    find build.sh rootfs -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum; } | sha256sum | cut -c1-64)
build_key=$(printf '%s\n' "kernel=$kernel_pkg=$kernel_pkgver" "busybox=$busybox_version" \
    "dropbear=$dropbear_version" "disk=$disk_mib" "cmdline=$cmdline_base" "scripts=$script_hash" \
    | sha256sum | cut -c1-64)

if [ "${VMTEST_GUEST_FORCE:-0}" != 1 ] && [ -f "$out/guest.properties" ] \
   && grep -qx "build.hash=$build_key" "$out/guest.properties" \
   && [ -s "$out/vmlinuz" ] && [ -s "$out/initrd.img" ] && [ -s "$out/base.qcow2" ]; then
    say "up to date ($out)"
    exit 0
fi

say "building in $out (kernel $kernel_pkg $kernel_pkgver, busybox $busybox_version, dropbear $dropbear_version)"
t_start=$(date +%s)

# ---- kernel package ----------------------------------------------------------------
deb="$cache/debs/${kernel_pkg}_${kernel_pkgver//:/%3a}_amd64.deb"
if [ ! -s "$deb" ]; then
    say "downloading $kernel_pkg=$kernel_pkgver"
    # apt's sandbox user cannot write into the cache dir: download in a temp dir it owns
    dl=$(mktemp -d)
    chmod 777 "$dl"
    (cd "$dl" && apt-get download -q "$kernel_pkg=$kernel_pkgver" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
    got=$(ls "$dl"/"${kernel_pkg}"_*.deb 2>/dev/null | head -n 1 || true)
    [ -n "$got" ] || { rm -rf "$dl"; die "apt-get download $kernel_pkg=$kernel_pkgver failed"; }
    mv "$got" "$deb.part" && mv "$deb.part" "$deb"
    rm -rf "$dl"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/vmtest-guest-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
kx="$work/kernel"
say "unpacking $(basename "$deb")"
dpkg-deb -x "$deb" "$kx"
moddir_rel=lib/modules/$kernel_version
[ -d "$kx/$moddir_rel" ] || moddir_rel=usr/lib/modules/$kernel_version
[ -d "$kx/$moddir_rel" ] || die "no modules directory for $kernel_version in $deb"
[ -f "$kx/boot/vmlinuz-$kernel_version" ] || die "no boot/vmlinuz-$kernel_version in $deb"
if [ "$moddir_rel" != "lib/modules/$kernel_version" ]; then
    mkdir -p "$kx/lib/modules" && ln -s "../../$moddir_rel" "$kx/lib/modules/$kernel_version"
fi
depmod -b "$kx" "$kernel_version"

# ---- initramfs tree ----------------------------------------------------------------
root="$work/root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,etc/vmtest,proc,sys,dev,tmp,run,root,var/log,installed}
ln -s ../run "$root/var/run"

# busybox with every applet as a symlink
cp "$busybox_bin" "$root/bin/busybox"
/bin/busybox --list-full | while read -r applet; do
    [ "$applet" = bin/busybox ] && continue
    case "$applet" in */*) ;; *) continue ;; esac    # e.g. "linuxrc" at /
    mkdir -p "$root/$(dirname "$applet")"
    ln -sf /bin/busybox "$root/$applet"
done

# dropbear + its shared libraries + the loader (same paths as on the host)
cp "$dropbear_bin" "$root/usr/sbin/dropbear"
cp "$dropbearkey_bin" "$root/usr/bin/dropbearkey"
ldd "$dropbear_bin" "$dropbearkey_bin" | grep -o '/[^ ]*' | grep -v ':$' | sort -u | while read -r lib; do
    [ -e "$lib" ] || continue
    mkdir -p "$root/$(dirname "$lib")"
    cp -L "$lib" "$root/$lib"
done
[ -e "$root/lib64/ld-linux-x86-64.so.2" ] || die "the loader /lib64/ld-linux-x86-64.so.2 was not copied"

# kernel modules: virtio (pci, net, blk, rng: seeds the crng for dropbearkey), ext4 (mounts ext2), ACPI power button, evdev
modules=(virtio_pci virtio_net virtio_blk virtio_rng crc32c_generic ext4 button evdev)
modprobe -d "$kx" -S "$kernel_version" --show-depends -a "${modules[@]}" \
    | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' > "$work/modules.paths"
: > "$root/etc/vmtest/modules.load"
while read -r path; do
    rel=${path#"$kx/$moddir_rel/"}
    rel=${rel#"$kx/lib/modules/$kernel_version/"}
    mkdir -p "$root/lib/modules/$kernel_version/$(dirname "$rel")"
    cp "$path" "$root/lib/modules/$kernel_version/$rel"
    echo "$rel" >> "$root/etc/vmtest/modules.load"
done < "$work/modules.paths"
for m in virtio_pci virtio_net virtio_blk ext4; do
    grep -q "/$m.ko" "$root/etc/vmtest/modules.load" \
        || grep -q "/$m.ko" "$kx/$moddir_rel/modules.builtin" \
        || die "module $m is neither a module nor built into $kernel_version"
done
cp "$kx/$moddir_rel"/modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$kernel_version/" 2>/dev/null || true
depmod -b "$root" "$kernel_version"

# our files: /init, /etc, /lib/vmtest, /usr/bin/vmtest-*
cp -a "$here/rootfs/." "$root/"
chmod 755 "$root/init"
chmod 700 "$root/root"
chmod 600 "$root/etc/shadow"
{
    echo "VMTEST_GUEST_KERNEL=$kernel_version"
    echo "VMTEST_GUEST_BUILD=$build_key"
} > "$root/etc/vmtest/build.env"

# ---- outputs -----------------------------------------------------------------------
stage="$work/out"
mkdir -p "$stage"
cp "$kx/boot/vmlinuz-$kernel_version" "$stage/vmlinuz"
(cd "$root" && find . -mindepth 1 -print0 | LC_ALL=C sort -z \
    | cpio --null --create --format=newc --owner=0:0 --reproducible --quiet) | gzip -9 -n > "$stage/initrd.img"
qemu-img create -q -f qcow2 "$stage/base.qcow2" "${disk_mib}M"
cat > "$stage/guest.properties" <<EOF
# vmtest test guest, built by deploy/test-guest/build.sh
kernel.version=$kernel_version
kernel.package=$kernel_pkg
kernel.package.version=$kernel_pkgver
busybox.version=$busybox_version
dropbear.version=$dropbear_version
build.hash=$build_key
built.at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
kernel=vmlinuz
initrd=initrd.img
disk.base=base.qcow2
disk.format=qcow2
disk.size.mib=$disk_mib
console=ttyS0
cmdline.base=$cmdline_base
ssh.user=root
ssh.port=22
guest.address=10.0.2.15
scenarios=pass panic test-fail hang flood garbage
EOF

mkdir -p "$out"
rm -f "$out/guest.properties"            # invalidates the old build until all files are in
for f in vmlinuz initrd.img base.qcow2; do mv -f "$stage/$f" "$out/$f"; done
mv -f "$stage/guest.properties" "$out/guest.properties"
say "built in $(( $(date +%s) - t_start ))s: $out (initrd $(du -k "$out/initrd.img" | cut -f1) KiB, $(wc -l < "$root/etc/vmtest/modules.load") modules)"
