#!/usr/bin/env bash
# The `pass` profile's work done by hand, without vmtest: boot the test guest under bare QEMU (TCG), install over
# SSH, reboot, run the two tests. The baseline of the orchestration-overhead benchmark (docs/BENCHMARKS.md).
#   system-tests/bench/bare-qemu-pass.sh [GUEST_DIR]     prints BARE_QEMU_PASS_SECONDS=<s> on the last line
set -euo pipefail
guest=$(realpath "${1:-$(dirname "$0")/../../vmtest-out/guest}")
work=$(mktemp -d /tmp/bare-qemu-pass.XXXXXX)
qemu_pid=
cleanup() { [ -n "$qemu_pid" ] && kill -9 "$qemu_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dropbearkey -t ed25519 -f "$work/id" >/dev/null 2>&1
key_b64=$(dropbearkey -y -f "$work/id" 2>/dev/null | grep '^ssh-' | base64 -w0)
now() { date +%s.%N; }
gssh() { local t=$1; shift; timeout "$t" dbclient -y -y -i "$work/id" -p "$port" root@127.0.0.1 "$@" 2>/dev/null; }
wait_sshd() {  # wait_sshd N: the N-th "sshd ready" on the console
    local deadline=$(( $(date +%s) + 300 ))
    local n
    until n=$(grep -ac 'vmtest-guest: sshd ready' "$work/console.log" 2>/dev/null); [ "${n:-0}" -ge "$1" ]; do
        [ "$(date +%s)" -lt "$deadline" ] || { echo "no sshd ready #$1" >&2; exit 1; }
        sleep 0.1
    done
}

t0=$(now)
qemu-img create -q -f qcow2 -b "$guest/base.qcow2" -F qcow2 "$work/disk.qcow2"
qemu-system-x86_64 -accel tcg -m 256 -smp 1 -nographic -monitor none \
    -kernel "$guest/vmlinuz" -initrd "$guest/initrd.img" \
    -append "console=ttyS0 panic=0 vmtest.scenario=pass vmtest.ssh_key=$key_b64" \
    -drive "file=$work/disk.qcow2,if=virtio,format=qcow2" \
    -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:22" -device virtio-net-pci,netdev=n0 \
    -device virtio-rng-pci -serial "file:$work/console.log" >/dev/null 2>&1 &
qemu_pid=$!
wait_sshd 1
t_ssh1=$(now)
gssh 300 vmtest-install >/dev/null
t_inst=$(now)
gssh 10 reboot || true
wait_sshd 2
t_ssh2=$(now)
gssh 30 vmtest-installed-id | grep -Eq '^[0-9a-f]{8,}'
gssh 30 vmtest-selftest | grep -q 'selftest: ok'
t1=$(now)
printf 'boot %.1f s, install %.1f s, reboot %.1f s, tests %.1f s\n' \
    "$(echo "$t_ssh1 - $t0" | bc)" "$(echo "$t_inst - $t_ssh1" | bc)" "$(echo "$t_ssh2 - $t_inst" | bc)" "$(echo "$t1 - $t_ssh2" | bc)"
printf 'BARE_QEMU_PASS_SECONDS=%.1f\n' "$(echo "$t1 - $t0" | bc)"
