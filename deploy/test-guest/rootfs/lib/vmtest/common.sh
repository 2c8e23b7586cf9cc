# Shared helpers of the vmtest test guest (sourced by /init and the vmtest-* commands).
# State written by /init at boot lives in /run/vmtest:
#   scenario          the vmtest.scenario from the kernel command line (validated)
#   booted-installed  present when /dev/vda held an installed system at boot
#   boot-seconds      uptime at "sshd ready"
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

VMTEST_RUN=/run/vmtest
VMTEST_DISK=/dev/vda
VMTEST_TARGET=/installed                 # where the installed system is mounted
VMTEST_MARKER=etc/vmtest-installed       # relative to the installed system's root
VMTEST_SCENARIOS="pass panic test-fail hang flood garbage"

# The scenario of this boot (pass when /init has not recorded one).
vmtest_scenario() {
    if [ -r "$VMTEST_RUN/scenario" ]; then cat "$VMTEST_RUN/scenario"; else echo pass; fi
}

# One line to the serial console. /dev/console is ttyS0 (console=ttyS0).
vmtest_console() {
    echo "$*" > /dev/console 2>/dev/null || true
}

# One line to stdout (the SSH channel) and to the console.
vmtest_say() {
    echo "$*"
    vmtest_console "$*"
}

# Seconds since the kernel started, e.g. 7.42
vmtest_uptime() {
    cut -d' ' -f1 /proc/uptime
}

# True when the disk carries an ext2/3/4 superblock (magic 0xEF53 at byte 1080).
vmtest_disk_has_fs() {
    [ -b "$VMTEST_DISK" ] || return 1
    magic=$(dd if="$VMTEST_DISK" bs=1 skip=1080 count=2 2>/dev/null | od -An -tx1 | tr -d ' \n')
    [ "$magic" = "53ef" ]
}

vmtest_target_mounted() {
    grep -q " $VMTEST_TARGET " /proc/mounts
}

# Prints the install id of the installed system mounted at $VMTEST_TARGET.
vmtest_installed_id() {
    vmtest_target_mounted || return 1
    [ -r "$VMTEST_TARGET/$VMTEST_MARKER" ] || return 1
    sed -n 's/^VMTEST_INSTALL_ID=//p' "$VMTEST_TARGET/$VMTEST_MARKER" | head -n 1 | grep .
}
