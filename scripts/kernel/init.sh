#!/bin/busybox sh
# shellcheck shell=sh
# /init of the guest's initramfs, run by busybox sh (kernel/boot.sh copies it
# there). Mounts the host root with a tmpfs overlay, runs the command script
# /cmd.sh in a chroot of it and reports on the "ctl" virtio port: BOOTED, then
# EXIT <code> (or INITFAIL <why>), which kernel/boot.sh reads on the host.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

# virtio-serial ports are found by name; udev is not there to make symlinks.
port() {
    for p in /sys/class/virtio-ports/*; do
        [ "$(cat "$p/name" 2>/dev/null)" = "$1" ] && { echo "/dev/${p##*/}"; return; }
    done
    echo /dev/console
}
out=$(port otel-ue.stdout); err=$(port otel-ue.stderr); ctl=$(port otel-ue.ctl)
fail() { echo "INITFAIL $*" >"$ctl"; echo "init: $*"; poweroff -f; }

mkdir -p /host /ovl /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=524288,cache=loose hostroot /host ||
    fail "cannot mount the host root over 9p"
# The overlay makes the root writable (writes vanish at power-off) so tests
# and tools that write to /tmp, $HOME or target/ keep working.
mount -t tmpfs -o mode=755 tmpfs /ovl && mkdir /ovl/upper /ovl/work
if ! mount -t overlay -o lowerdir=/host,upperdir=/ovl/upper,workdir=/ovl/work overlay /newroot; then
    echo "init: overlay failed, the root is read-only"
    mount --bind /host /newroot
    mount -t tmpfs tmpfs /newroot/tmp
fi
r=/newroot
mount -t proc proc $r/proc
mount -t sysfs sysfs $r/sys
mount -t tracefs tracefs $r/sys/kernel/tracing || fail "cannot mount tracefs"
mount -t devtmpfs devtmpfs $r/dev
# devtmpfs has device nodes only; these links usually come from udev.
ln -sf /proc/self/fd $r/dev/fd
ln -sf /proc/self/fd/0 $r/dev/stdin
ln -sf /proc/self/fd/1 $r/dev/stdout
ln -sf /proc/self/fd/2 $r/dev/stderr
[ -d $r/dev/pts ] || mkdir -p $r/dev/pts
mount -t devpts devpts $r/dev/pts
[ -d $r/dev/shm ] || mkdir -p $r/dev/shm
mount -t tmpfs tmpfs $r/dev/shm
mount -t tmpfs -o mode=755 tmpfs $r/run
mkdir -p $r/run/otel-ue
cp /cmd.sh $r/run/otel-ue/cmd.sh
echo BOOTED >"$ctl"
# A virtio port can be open only once, so a command that reopens its output
# (/dev/stderr, /proc/self/fd/2) would get EBUSY: give it pipes instead.
mkfifo /stdout /stderr
cat /stdout >"$out" &
cat_out=$!
cat /stderr >"$err" &
cat_err=$!
OTEL_UE_CTL="$ctl" chroot $r /bin/bash /run/otel-ue/cmd.sh </dev/null >/stdout 2>/stderr
rc=$?
wait $cat_out $cat_err
# "quiet" kept warnings off the console during the run; put the whole kernel
# log there now so the host can spot WARNINGs the command triggered.
grep -qw quiet /proc/cmdline && dmesg >/dev/console
echo "EXIT $rc" >"$ctl"
sync
poweroff -f
