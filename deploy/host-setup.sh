#!/bin/bash
# Prepares a vmtest worker host (Debian/Ubuntu, as root): packages, libvirt's qemu.conf,
# access to libvirt for the libvirt group, the service user `vmtest` (deploy/systemd/vmtest-worker.service),
# virtlogd + libvirtd, and a probe whether KVM really works (else TCG).
# Idempotent; takes well under 2 s when everything is already in place.
#
#   deploy/host-setup.sh            # set up / check
#   VMTEST_REPROBE=1 deploy/host-setup.sh   # probe KVM again even if nothing changed
#   deploy/host-setup.sh --for-tests        # also what the test suite needs (headless Chromium)
#
# Writes $VMTEST_STATE_DIR/host-facts.env (default /var/lib/vmtest/host-facts.env):
#   VMTEST_ACCEL=kvm|tcg  VMTEST_KVM_REASON="..."  VMTEST_LIBVIRT_VERSION=  VMTEST_QEMU_VERSION=
# As non-root or on another distribution it changes nothing: it prints what is missing
# and how to fix it, and exits non-zero when something needed is missing.
set -euo pipefail
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

# xorriso: cloud-init seeds (ssh.keyDelivery CLOUD_INIT); ovmf: UEFI firmware; the rest of the second line builds
# the Debian guests (deploy/images/debian/build.sh)
PACKAGES=(qemu-system-x86 qemu-utils libvirt-daemon-system libvirt-clients busybox-static dropbear-bin kmod cpio tini
          xorriso ovmf mmdebstrap fdisk e2fsprogs dosfstools mtools grub-pc-bin grub-efi-amd64-bin)
for arg in "$@"; do
    case "$arg" in
        # The coordinator's web view is tested in a real headless browser; the compose file is checked by docker-compose,
        # the NixOS module by Nix itself (nix-bin: nix-instantiate).
        --for-tests) PACKAGES+=(chromium chromium-driver docker-compose nix-bin) ;;
        *) echo "host-setup: unknown option $arg (known: --for-tests)" >&2; exit 64 ;;
    esac
done
STATE_DIR=${VMTEST_STATE_DIR:-/var/lib/vmtest}
FACTS="$STATE_DIR/host-facts.env"
QEMU_CONF=${VMTEST_QEMU_CONF:-/etc/libvirt/qemu.conf}
LIBVIRTD_CONF=${VMTEST_LIBVIRTD_CONF:-/etc/libvirt/libvirtd.conf}
SERVICE_USER=${VMTEST_SERVICE_USER:-vmtest}
LIBVIRT_URI=qemu:///system
PROBE_TIMEOUT=${VMTEST_KVM_PROBE_TIMEOUT:-20}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GUEST_DIR=${VMTEST_GUEST_DIR:-$(cd "$here/.." && pwd)/vmtest-out/guest}

say() { echo "host-setup: $*"; }
problems=()
problem() { problems+=("$*"); echo "host-setup: MISSING: $*" >&2; }

is_root=0; [ "$(id -u)" = 0 ] && is_root=1
is_debian=0
if [ -r /etc/os-release ]; then
    # shellcheck disable=SC1091
    os_id=$(. /etc/os-release; echo "${ID:-} ${ID_LIKE:-}")
    case " $os_id " in *" debian "*|*" ubuntu "*) is_debian=1 ;; esac
fi
command -v dpkg-query >/dev/null 2>&1 || is_debian=0
can_fix=$(( is_root && is_debian ))
have_systemd=0; [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] && have_systemd=1

# ---- 1. packages -----------------------------------------------------------------------
pkg_installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }
missing_pkgs=()
if [ "$is_debian" = 1 ]; then
    for p in "${PACKAGES[@]}"; do pkg_installed "$p" || missing_pkgs+=("$p"); done
else
    # not Debian: check for the programs the packages provide
    for c in qemu-system-x86_64:qemu-system-x86 qemu-img:qemu-utils libvirtd:libvirt-daemon-system \
             virtlogd:libvirt-daemon-system virsh:libvirt-clients dropbear:dropbear-bin \
             dropbearkey:dropbear-bin depmod:kmod cpio:cpio tini:tini; do
        command -v "${c%%:*}" >/dev/null 2>&1 || missing_pkgs+=("${c#*:}")
    done
    [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 || missing_pkgs+=(busybox-static)
    missing_pkgs=($(printf '%s\n' "${missing_pkgs[@]}" | sort -u))
fi
if [ ${#missing_pkgs[@]} -eq 0 ]; then
    say "packages installed (${#PACKAGES[@]})"
elif [ "$can_fix" = 1 ]; then
    say "installing ${missing_pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=300 update -qq
    apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${missing_pkgs[@]}" >/dev/null
    say "packages installed (${missing_pkgs[*]})"
else
    if [ "$is_debian" = 1 ]; then
        problem "packages ${missing_pkgs[*]} — fix: sudo apt-get update && sudo apt-get install -y ${missing_pkgs[*]}"
    else
        problem "programs of ${missing_pkgs[*]} (Debian package names) — install the equivalents of your distribution (QEMU x86_64 system emulator, qemu-img, libvirt daemon + virsh, static busybox, dropbear, kmod, cpio, tini)"
    fi
fi

# ---- 2. qemu.conf: run QEMU as root (else each virsh create re-probes QEMU, ~44 s) ---------
conf_changed=0
conf_has() { grep -Eq "^[[:space:]]*$1[[:space:]]*=[[:space:]]*\"root\"" "$QEMU_CONF"; }
if [ ! -e "$QEMU_CONF" ]; then
    [ ${#missing_pkgs[@]} -gt 0 ] || problem "$QEMU_CONF does not exist (is libvirt-daemon-system installed?)"
elif [ ! -r "$QEMU_CONF" ]; then
    problem "cannot read $QEMU_CONF to check user/group = \"root\" — run as root"
elif conf_has user && conf_has group; then
    say "qemu.conf: user = \"root\", group = \"root\""
elif [ "$is_root" = 1 ]; then
    cp -p "$QEMU_CONF" "$QEMU_CONF.vmtest-bak"
    for key in user group; do
        if conf_has "$key"; then continue; fi
        if grep -Eq "^[[:space:]]*$key[[:space:]]*=" "$QEMU_CONF"; then
            sed -i -E "s/^[[:space:]]*$key[[:space:]]*=.*/$key = \"root\"/" "$QEMU_CONF"
        else
            printf '# vmtest (deploy/host-setup.sh): run QEMU as root\n%s = "root"\n' "$key" >> "$QEMU_CONF"
        fi
    done
    conf_changed=1
    say "qemu.conf: set user = \"root\", group = \"root\" (backup $QEMU_CONF.vmtest-bak)"
else
    problem "$QEMU_CONF lacks user = \"root\" and group = \"root\" — fix: add both lines as root, then restart libvirtd"
fi

# ---- 2b. libvirt access for the libvirt group (the worker runs as an unprivileged user in it) -----
# Who may use qemu:///system's read-write socket is decided by auth_unix_rw, "polkit" by default: libvirtd asks the
# polkit daemon over the system D-Bus, and Debian's rule (/usr/share/polkit-1/rules.d/60-libvirt.rules) says yes to the
# libvirt group. A systemd host has both, and its socket unit (libvirtd.socket) ignores the unix_sock_* settings below:
# nothing to change there. Where libvirtd runs without systemd (started by this script), there is no system D-Bus and
# no polkit daemon, so every non-root client is refused ("Unable to get system bus connection"). There the socket's own
# group and mode grant the same thing the polkit rule does: group libvirt, mode 0770, no further authentication.
# (Never "none" with a world-writable socket: that would give every local user root through QEMU.)
libvirtd_conf_changed=0
conf_value() { sed -nE "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\"([^\"]*)\".*/\1/p" "$LIBVIRTD_CONF" | tail -n 1; }
set_conf() {  # set_conf KEY VALUE: KEY = "VALUE" in libvirtd.conf
    if [ "$(conf_value "$1")" = "$2" ]; then return; fi
    [ -e "$LIBVIRTD_CONF.vmtest-bak" ] || cp -p "$LIBVIRTD_CONF" "$LIBVIRTD_CONF.vmtest-bak"
    if grep -Eq "^[[:space:]]*$1[[:space:]]*=" "$LIBVIRTD_CONF"; then
        sed -i -E "s/^[[:space:]]*$1[[:space:]]*=.*/$1 = \"$2\"/" "$LIBVIRTD_CONF"
    else
        printf '# vmtest (deploy/host-setup.sh): libvirt group access without polkit\n%s = "%s"\n' "$1" "$2" >> "$LIBVIRTD_CONF"
    fi
    libvirtd_conf_changed=1
}
if [ "$have_systemd" = 1 ]; then
    say "libvirt access: socket-activated libvirtd, polkit grants the libvirt group (60-libvirt.rules)"
elif [ ! -e "$LIBVIRTD_CONF" ]; then
    [ ${#missing_pkgs[@]} -gt 0 ] || problem "$LIBVIRTD_CONF does not exist (is libvirt-daemon-system installed?)"
elif [ "$is_root" = 1 ]; then
    set_conf unix_sock_group libvirt
    set_conf unix_sock_rw_perms 0770
    set_conf auth_unix_rw none
    if [ "$libvirtd_conf_changed" = 1 ]; then
        say "libvirtd.conf: read-write socket for group libvirt, mode 0770, auth_unix_rw none (backup $LIBVIRTD_CONF.vmtest-bak)"
    else
        say "libvirtd.conf: read-write socket for group libvirt (0770, auth_unix_rw none)"
    fi
elif [ "$(conf_value auth_unix_rw)" != none ] || [ "$(conf_value unix_sock_group)" != libvirt ]; then
    problem "$LIBVIRTD_CONF: without systemd/polkit only root can use qemu:///system — fix (as root): set unix_sock_group = \"libvirt\", unix_sock_rw_perms = \"0770\", auth_unix_rw = \"none\", restart libvirtd"
fi

# ---- 2c. the service user: deploy/systemd/vmtest-worker.service runs the worker as it -------------
if getent passwd "$SERVICE_USER" >/dev/null; then
    say "service user $SERVICE_USER exists ($(id -nG "$SERVICE_USER" | tr ' ' ,))"
elif [ "$is_root" = 1 ] && getent group libvirt >/dev/null; then
    groups=libvirt; getent group kvm >/dev/null && groups=libvirt,kvm
    useradd --system --user-group --no-create-home --home-dir /var/lib/vmtest --shell /usr/sbin/nologin \
        -G "$groups" "$SERVICE_USER"
    say "created service user $SERVICE_USER (groups $groups)"
elif [ "$is_root" = 1 ]; then
    [ ${#missing_pkgs[@]} -gt 0 ] || problem "no libvirt group (is libvirt-daemon-system installed?)"
else
    problem "no service user $SERVICE_USER — fix (as root): useradd --system --user-group -G libvirt,kvm $SERVICE_USER"
fi

# ---- 3. virtlogd + libvirtd ----------------------------------------------------------------
pid_alive() {  # pid_alive PIDFILE NAME
    local pid
    [ -r "$1" ] && pid=$(cat "$1" 2>/dev/null) && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null \
        && [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = "$2" ]
}
daemon_running() {  # daemon_running NAME
    pid_alive "/run/$1.pid" "$1" || pid_alive "/var/run/$1.pid" "$1" || pidof "$1" >/dev/null 2>&1
}
virsh_ok() { timeout 10 virsh -c "$LIBVIRT_URI" version >/dev/null 2>&1; }
libvirt_version() { libvirtd --version 2>/dev/null | awk '{print $NF}'; }
wait_for_libvirt() {
    local i
    for i in $(seq 1 60); do virsh_ok && return 0; sleep 0.5; done
    return 1
}
start_daemons() {
    if [ "$have_systemd" = 1 ]; then
        systemctl start virtlogd.socket virtlogd.service libvirtd.service 2>/dev/null \
            || systemctl start virtlogd libvirtd
        return
    fi
    daemon_running virtlogd || virtlogd -d
    daemon_running libvirtd || start_libvirtd
}
# Without systemd, libvirtd runs under tini as a child subreaper. libvirt detaches each QEMU from itself and, on a
# destroy, waits until QEMU's pid is gone; an orphan goes to PID 1, and the init of a container or sandbox may reap
# it only seconds later (measured here: 1.5-2 s), so every abort's domain would linger that long. tini reaps it the
# moment it exits.
start_libvirtd() {
    if command -v tini >/dev/null 2>&1; then
        mkdir -p /var/log/libvirt
        setsid tini -s -- libvirtd </dev/null >>/var/log/libvirt/libvirtd-console.log 2>&1 &
    else
        libvirtd -d
    fi
}
restart_libvirtd() {
    if [ "$have_systemd" = 1 ]; then systemctl restart libvirtd; return; fi
    local pid i
    pid=$(cat /run/libvirtd.pid 2>/dev/null || pidof libvirtd || true)
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null || true
        for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    fi
    start_libvirtd
}

if ! command -v libvirtd >/dev/null 2>&1 || ! command -v virsh >/dev/null 2>&1; then
    problem "libvirtd/virsh not installed, cannot start libvirt"
elif [ "$is_root" = 1 ]; then
    if { [ "$conf_changed" = 1 ] || [ "$libvirtd_conf_changed" = 1 ]; } && daemon_running libvirtd; then
        say "restarting libvirtd (its configuration changed)"
        restart_libvirtd
    fi
    if ! daemon_running virtlogd || ! daemon_running libvirtd; then
        start_daemons
    fi
    if wait_for_libvirt; then
        say "libvirtd running ($(libvirt_version))"
    else
        problem "libvirtd does not answer on $LIBVIRT_URI after 30 s (see /var/log/libvirt/libvirtd.log)"
    fi
else
    if virsh_ok; then
        say "libvirtd running ($(libvirt_version))"
    else
        daemon_running virtlogd || problem "virtlogd not running — fix (as root): virtlogd -d   (or: systemctl start virtlogd)"
        daemon_running libvirtd || problem "libvirtd not running — fix (as root): libvirtd -d   (or: systemctl start libvirtd)"
        problem "cannot connect to $LIBVIRT_URI as $(id -un) — run this as root, or as a member of the libvirt group"
    fi
fi

# ---- 4. KVM or TCG: a real short boot decides, never the mere presence of /dev/kvm --------
qemu_bin=$(command -v qemu-system-x86_64 || true)
qemu_version=""
[ -n "$qemu_bin" ] && qemu_version=$("$qemu_bin" --version | sed -n '1s/.*version \([^ ]*\).*/\1/p')
kvm_dev=absent; [ -c /dev/kvm ] && kvm_dev=present

# probe_boot ACCEL OUTFILE: boots a 512-byte boot sector that writes "VMTEST-PROBE-OK" to
# the serial port and exits QEMU through isa-debug-exit (exit status 0x21<<1|1 = 67).
# Reaching exit 67 means the guest really executed code with that accelerator.
probe_boot() {
    local accel=$1 outfile=$2 img cpu=() rc=0
    img=$(mktemp "${TMPDIR:-/tmp}/vmtest-probe.XXXXXX")
    {
        # xor ax,ax; mov ds,ax; cld; mov dx,0x3f8; mov si,msg; lodsb / test al,al / jz done / out dx,al / jmp loop
        # done: mov al,0x21; out 0xf4,al; hlt; jmp hlt
        printf '\x31\xc0\x8e\xd8\xfc\xba\xf8\x03\xbe\x1c\x7c\xac\x84\xc0\x74\x03\xee\xeb\xf8\xb0\x21\xe6\xf4\xf4\xeb\xfd\x90\x90'
        printf 'VMTEST-PROBE-OK\r\n\0'
    } > "$img"
    truncate -s 510 "$img"
    printf '\x55\xaa' >> "$img"
    [ "$accel" = kvm ] && cpu=(-cpu host)
    # In a subshell whose own stderr is discarded: a QEMU that aborts (SIGABRT, as -accel kvm does where KVM is
    # broken) would otherwise make bash print an "Aborted" job line; the reason line below says what happened.
    ( timeout -k 2 "$PROBE_TIMEOUT" "$qemu_bin" -accel "$accel" "${cpu[@]}" -m 16 -nodefaults -display none \
        -no-reboot -serial "file:$outfile" -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -drive "file=$img,format=raw,if=ide,index=0" >>"$outfile.err" 2>&1 </dev/null; exit $? ) 2>/dev/null || rc=$?
    rm -f "$img"
    return "$rc"
}

# probe_kernel ACCEL OUTFILE: boots the test guest's kernel without an initrd; it must get as
# far as "Kernel panic - not syncing: VFS" (no root fs), then panic=-1 + -no-reboot end QEMU.
probe_kernel() {
    local accel=$1 outfile=$2 cpu=() rc=0
    [ "$accel" = kvm ] && cpu=(-cpu host)
    ( timeout -k 2 "$PROBE_TIMEOUT" "$qemu_bin" -accel "$accel" "${cpu[@]}" -m 128 -nodefaults -display none \
        -no-reboot -serial "file:$outfile" -kernel "$GUEST_DIR/vmlinuz" \
        -append "console=ttyS0 panic=-1 root=/dev/vmtest-probe-none" >>"$outfile.err" 2>&1 </dev/null; exit $? ) 2>/dev/null \
        || rc=$?
    [ "$rc" = 0 ] && grep -q 'Kernel panic - not syncing' "$outfile" && return 0
    [ "$rc" = 0 ] && return 1
    return "$rc"
}

# exit_text RC: "exit 1", or "QEMU killed by SIGABRT" for a status above 128
exit_text() {
    if [ "$1" -gt 128 ]; then echo "QEMU killed by SIG$(kill -l "$(($1 - 128))" 2>/dev/null || echo "$(($1 - 128))")"
    else echo "exit $1"; fi
}

probe_kvm() {  # sets accel, reason
    accel=tcg
    if [ "$kvm_dev" = absent ]; then reason="/dev/kvm is absent"; return; fi
    if ! { exec 9<>/dev/kvm; } 2>/dev/null; then reason="/dev/kvm cannot be opened by $(id -un)"; return; fi
    exec 9>&-
    local out rc=0 t0 t1
    out=$(mktemp "${TMPDIR:-/tmp}/vmtest-probe-out.XXXXXX")
    t0=$(date +%s.%N)
    probe_boot kvm "$out" || rc=$?
    t1=$(date +%s.%N)
    local secs; secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
    if [ "$rc" = 67 ] && grep -q VMTEST-PROBE-OK "$out"; then
        accel=kvm
        reason="probe boot with -accel kvm -cpu host reached guest code in ${secs}s"
        if [ -s "$GUEST_DIR/vmlinuz" ]; then
            # a real kernel too: some hosts run a boot sector under KVM but hang in Linux
            rc=0; : > "$out"; t0=$(date +%s.%N)
            probe_kernel kvm "$out" || rc=$?
            secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
            if [ "$rc" = 0 ]; then
                reason="$reason; the test guest kernel booted with kvm in ${secs}s"
            else
                accel=tcg
                if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
                    reason="a boot sector runs with -accel kvm but the test guest kernel hung (killed after ${PROBE_TIMEOUT}s)"
                else
                    local kerr; kerr=$(grep -v '^$' "$out.err" 2>/dev/null | head -n 1 | tr -d '"\\$`' | cut -c1-200)
                    reason="a boot sector runs with -accel kvm but the test guest kernel failed ($(exit_text "$rc"))${kerr:+: $kerr}"
                fi
            fi
        fi
    elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        reason="probe boot with -accel kvm hung (killed after ${PROBE_TIMEOUT}s)"
    else
        local err; err=$(grep -v '^$' "$out.err" 2>/dev/null | head -n 1 | tr -d '"\\$`' | cut -c1-200)
        reason="probe boot with -accel kvm failed ($(exit_text "$rc"))${err:+: $err}; KVM does not work on this host, VMs run under TCG"
    fi
    rm -f "$out" "$out.err"
}

if [ -z "$qemu_bin" ]; then
    problem "qemu-system-x86_64 not installed, cannot probe KVM"
else
    old_qemu=""; old_dev=""
    if [ -r "$FACTS" ]; then
        old_qemu=$(sed -n 's/^VMTEST_QEMU_VERSION=//p' "$FACTS")
        old_dev=$(sed -n 's/^VMTEST_KVM_DEVICE=//p' "$FACTS")
    fi
    lv=$(libvirt_version || true)
    if [ "${VMTEST_REPROBE:-0}" != 1 ] && [ "$old_qemu" = "$qemu_version" ] && [ "$old_dev" = "$kvm_dev" ]; then
        accel=$(sed -n 's/^VMTEST_ACCEL=//p' "$FACTS")
        say "accelerator $accel (probed before with qemu $qemu_version; VMTEST_REPROBE=1 to probe again)"
        if [ -n "$lv" ] && ! grep -qx "VMTEST_LIBVIRT_VERSION=$lv" "$FACTS" && [ -w "$FACTS" ]; then
            sed -i "s/^VMTEST_LIBVIRT_VERSION=.*/VMTEST_LIBVIRT_VERSION=$lv/" "$FACTS"
        fi
    else
        probe_kvm
        if mkdir -p "$STATE_DIR" 2>/dev/null && [ -w "$STATE_DIR" ]; then
            tmp="$FACTS.tmp.$$"
            {
                echo "# written by deploy/host-setup.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ)"
                echo "VMTEST_ACCEL=$accel"
                echo "VMTEST_KVM_REASON=\"$reason\""
                echo "VMTEST_KVM_DEVICE=$kvm_dev"
                echo "VMTEST_LIBVIRT_VERSION=$lv"
                echo "VMTEST_QEMU_VERSION=$qemu_version"
            } > "$tmp"
            mv -f "$tmp" "$FACTS"
            say "accelerator $accel ($reason) -> $FACTS"
        else
            say "accelerator $accel ($reason)"
            problem "cannot write $FACTS — run as root or set VMTEST_STATE_DIR to a writable directory"
        fi
    fi
fi

# ---- result -----------------------------------------------------------------------------
if [ ${#problems[@]} -gt 0 ]; then
    echo "host-setup: NOT READY, ${#problems[@]} problem(s):" >&2
    printf '  - %s\n' "${problems[@]}" >&2
    [ "$is_root" = 1 ] || echo "host-setup: run as root to fix these automatically (Debian/Ubuntu)" >&2
    exit 1
fi
say "ready"
