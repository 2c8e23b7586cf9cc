#!/bin/bash
# Boots the test guest through libvirt (example-domain.xml) and drives it over SSH the way
# the worker does, printing timings. A manual check of the guest contract, not a unit test.
#
#   deploy/test-guest/smoke.sh [SCENARIO...]     default: pass panic flood
#   scenarios: pass test-fail panic hang flood garbage, and power (reboot -f, virsh reboot, poweroff -f)
#
# Needs: deploy/host-setup.sh done (libvirtd running), deploy/test-guest/build.sh done.
# Every domain and overlay it creates is destroyed/deleted on exit; console logs are kept in
# <repo>/vmtest-out/smoke/<scenario>.console.log.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
guest=${VMTEST_GUEST_DIR:-$repo/vmtest-out/guest}
outdir=${VMTEST_SMOKE_DIR:-$repo/vmtest-out/smoke}
port_base=${VMTEST_SMOKE_PORT:-22220}
uri=qemu:///system
facts=${VMTEST_STATE_DIR:-/var/lib/vmtest}/host-facts.env
accel=tcg
[ -r "$facts" ] && accel=$(sed -n 's/^VMTEST_ACCEL=//p' "$facts")
domtype=qemu; [ "$accel" = kvm ] && domtype=kvm

[ -f "$guest/guest.properties" ] || { echo "smoke: no guest in $guest: run deploy/test-guest/build.sh" >&2; exit 1; }
cmdline_base=$(sed -n 's/^cmdline.base=//p' "$guest/guest.properties")
mkdir -p "$outdir"
work=$(mktemp -d "$outdir/run.XXXXXX")
domains=()
cleanup() {
    for d in "${domains[@]}"; do virsh -c "$uri" destroy "$d" >/dev/null 2>&1 || true; done
    rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
log() { echo "smoke: $*"; }

# dropbear-format client key + its OpenSSH public line for the kernel command line
dropbearkey -t ed25519 -f "$work/id" >/dev/null 2>&1
pubkey=$(dropbearkey -y -f "$work/id" 2>/dev/null | grep '^ssh-')
key_b64=$(printf '%s\n' "$pubkey" | base64 -w0)

gssh() {  # gssh PORT TIMEOUT CMD...
    local port=$1 t=$2; shift 2
    timeout "$t" dbclient -y -y -i "$work/id" -p "$port" root@127.0.0.1 "$@" 2> >(grep -v -e 'skipping hostkey check' -e '^$' >&2)
}
# wait_console LOG PATTERN COUNT TIMEOUT: until PATTERN occurs COUNT times in LOG
wait_console() {
    local logf=$1 pat=$2 count=$3 t=$4 end
    end=$(( $(date +%s) + t ))
    while [ "$(date +%s)" -lt "$end" ]; do
        [ "$(grep -a -c -- "$pat" "$logf" 2>/dev/null || true)" -ge "$count" ] && return 0
        sleep 0.2
    done
    return 1
}

start_domain() {  # start_domain SCENARIO PORT -> sets dom, con, t_created
    local scen=$1 port=$2
    dom="vmtest-smoke-$scen-$$"
    con="$outdir/$scen.console.log"
    rm -f "$con"
    qemu-img create -q -f qcow2 -b "$guest/base.qcow2" -F qcow2 "$work/$scen.qcow2"
    sed -e "s|@NAME@|$dom|" -e "s|@TYPE@|$domtype|" -e "s|@KERNEL@|$guest/vmlinuz|" \
        -e "s|@INITRD@|$guest/initrd.img|" \
        -e "s|@CMDLINE@|$cmdline_base vmtest.scenario=$scen vmtest.ssh_key=$key_b64|" \
        -e "s|@DISK@|$work/$scen.qcow2|" -e "s|@CONSOLE_LOG@|$con|" -e "s|@SSH_PORT@|$port|" \
        "$here/example-domain.xml" > "$work/$scen.xml"
    local t0; t0=$(now)
    domains+=("$dom")
    virsh -c "$uri" create "$work/$scen.xml" >/dev/null
    t_created=$(now)
    log "$scen: virsh create took $(secs "$t0" "$t_created")s"
    wait_console "$con" 'vmtest-guest: sshd ready' 1 180 || { log "$scen: no 'sshd ready' in 180s"; tail -5 "$con"; return 1; }
    log "$scen: boot to 'sshd ready' $(secs "$t_created" "$(now)")s ($(grep -a 'boot took' "$con" | tail -n 1))"
}
stop_domain() {
    virsh -c "$uri" destroy "$dom" >/dev/null 2>&1 || true
    rm -f "$work/$1.qcow2"
}

install_timed() {  # install_timed PORT SCENARIO
    local t0 rc=0; t0=$(now)
    gssh "$1" 600 vmtest-install > "$work/$2.install.out" || rc=$?
    log "$2: vmtest-install exit $rc in $(secs "$t0" "$(now)")s: $(tail -n 1 "$work/$2.install.out")"
    return $rc
}

reboot_and_test() {  # reboot_and_test PORT SCENARIO EXPECTED_SELFTEST_RC
    local port=$1 scen=$2 want=$3 id1 id2 t0 rc=0
    id1=$(gssh "$port" 30 vmtest-installed-id)
    t0=$(now)
    gssh "$port" 30 reboot || true
    wait_console "$con" 'vmtest-guest: sshd ready' 2 180 || { log "$scen: no second 'sshd ready'"; return 1; }
    log "$scen: reboot to 'sshd ready' $(secs "$t0" "$(now)")s; console: $(grep -a 'booted installed system' "$con" | tail -n 1)"
    id2=$(gssh "$port" 30 vmtest-installed-id)
    [ "$id1" = "$id2" ] && log "$scen: marker survived reboot ($id2)" || { log "$scen: marker changed '$id1' -> '$id2'"; return 1; }
    gssh "$port" 30 vmtest-selftest > "$work/selftest.out" 2>&1 || rc=$?
    log "$scen: vmtest-selftest exit $rc: $(cat "$work/selftest.out")"
    [ "$rc" = "$want" ]
}

run_scenario() {
    local scen=$1 port=$2 t0 rc=0
    start_domain "$scen" "$port"
    case "$scen" in
        pass)
            install_timed "$port" pass
            reboot_and_test "$port" pass 0 ;;
        test-fail)
            install_timed "$port" test-fail
            reboot_and_test "$port" test-fail 1 ;;
        panic)
            t0=$(now)
            (gssh "$port" 120 vmtest-install > "$work/panic.install.out" 2>&1 || true) &
            wait_console "$con" 'end Kernel panic' 1 120 || { log "panic: no panic on the console"; return 1; }
            log "panic: from install start to '---[ end Kernel panic' $(secs "$t0" "$(now)")s; console from the 50% line:"
            sed -n '/vmtest-install: \[ 50%\]/,$p' "$con" | tr -d '\r' | sed 's/^/    | /'
            ;;
        hang)
            (gssh "$port" 20 vmtest-install > "$work/hang.install.out" 2>&1 || true) &
            wait_console "$con" 'vmtest-install: \[ 40%\]' 1 60
            sleep 10
            log "hang: last console line after 10 s of silence: $(tail -n 1 "$con" | tr -d '\r')"
            ;;
        flood)
            install_timed "$port" flood
            log "flood: $(grep -a 'flood of' "$work/flood.install.out")"
            log "flood: console log has $(grep -a -c '^vmtest-flood [0-9]' "$con") 'vmtest-flood N' lines, done line: $(grep -a -c 'vmtest-flood: done 100000' "$con")"
            ;;
        garbage)
            install_timed "$port" garbage
            log "garbage: longest console line $(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$con") chars; 'vmtest-garbage: done' seen: $(grep -a -c 'vmtest-garbage: done' "$con")"
            ;;
        power)
            # reboot -f, virsh reboot (ACPI power button -> acpid -> poweroff -> libvirt restarts), poweroff -f
            t0=$(now); gssh "$port" 10 reboot -f || true
            wait_console "$con" 'vmtest-guest: sshd ready' 2 180 || { log "power: no sshd after reboot -f"; return 1; }
            log "power: reboot -f to 'sshd ready' $(secs "$t0" "$(now)")s"
            t0=$(now); virsh -c "$uri" reboot "$dom" >/dev/null
            wait_console "$con" 'vmtest-guest: sshd ready' 3 180 || { log "power: no sshd after virsh reboot"; return 1; }
            log "power: virsh reboot to 'sshd ready' $(secs "$t0" "$(now)")s"
            t0=$(now); gssh "$port" 10 poweroff -f || true
            for _ in $(seq 1 100); do virsh -c "$uri" domstate "$dom" >/dev/null 2>&1 || break; sleep 0.2; done
            if virsh -c "$uri" domstate "$dom" >/dev/null 2>&1; then log "power: still running after poweroff -f"; return 1; fi
            log "power: poweroff -f: domain gone after $(secs "$t0" "$(now)")s"
            ;;
        *) log "unknown scenario $scen"; return 1 ;;
    esac
    stop_domain "$scen"
}

scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(pass panic flood)
i=0; failed=0
for s in "${scenarios[@]}"; do
    if run_scenario "$s" $((port_base + i)); then log "$s: OK"; else log "$s: FAILED"; failed=1; stop_domain "$s"; fi
    i=$((i + 1))
done
exit $failed
