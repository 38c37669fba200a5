#!/usr/bin/env bash
# Run commands and test binaries inside a small Linux 6.12 kernel that has
# user_events, booted under qemu. The host kernel may lack user_events; this
# gives every developer and CI the same real kernel to test against.
#
# The guest sees the host's root filesystem (read-only over virtio-9p, with a
# throw-away tmpfs overlay on top so programs can write), so host-built,
# dynamically linked binaries run unchanged, as root, in the same directory.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPT_DIR
readonly FRAGMENT="$SCRIPT_DIR/kernel/user-events.config"
# Bump when the build steps change in a way that makes old cached kernels wrong.
readonly SCHEMA=1
readonly SOURCE_PKG=linux-source-6.12
readonly CACHE_DIR="${OTEL_UE_CACHE:-$HOME/.cache/otel-user-events}"

usage() {
    cat <<'EOF'
Usage: scripts/kernel-test.sh [OPTIONS] COMMAND

Boot a Linux 6.12 kernel with user_events under qemu and run things inside it.

Commands:
  build                          Build (or find in the cache) the kernel, print its path.
  accel                          Print how the guest would run: kvm or tcg.
  run -- CMD [ARGS...]           Run one command as root in the guest, in the current
                                 directory, and exit with its exit code.
  cargo-test [ARGS...] [-- TEST-ARGS...]
                                 Build test binaries on the host with
                                 `cargo test --no-run ARGS`, run all of them in one boot
                                 (each with TEST-ARGS), exit non-zero if any failed.

Options:
  --timeout SECS   Give up on the guest after SECS seconds (default 600).
  --verbose        Also print the guest console (kernel messages) as it runs.
  -h, --help       Show this help.

Environment:
  OTEL_UE_CACHE    Kernel cache directory (default ~/.cache/otel-user-events).
  OTEL_UE_ACCEL    Force `kvm` or `tcg` (default: kvm when usable, else tcg).
  OTEL_UE_MEM      Guest memory (default 1G).  OTEL_UE_SMP: guest CPUs (default 2).
  OTEL_UE_KERNEL_ARGS  Extra guest kernel command line parameters.
Passed into the guest: PATH, HOME, RUST_BACKTRACE, RUST_LOG*, RUST_TEST_*,
RUST_MIN_STACK, CARGO_HOME, RUSTUP_HOME, OTEL_*; the guest also gets OTEL_UE_KERNEL_VM=1.

The guest sees the host's root read-only with a tmpfs overlay on top: commands can
write anywhere, and the writes are discarded at power-off. The guest kernel is
cached in $OTEL_UE_CACHE/kernel-<hash>/ (first build: several minutes).
EOF
}

die() {
    echo "kernel-test: error: $*" >&2
    exit 2
}

note() {
    echo "kernel-test: $*" >&2
}

# ---------------------------------------------------------------------------
# Host packages
# ---------------------------------------------------------------------------

# Debian package -> a file it installs, so nothing is installed when present.
# shellcheck disable=SC2034 # used through a nameref in ensure_packages
declare -A PKG_FILES=(
    [qemu-system-x86]=/usr/bin/qemu-system-x86_64
    [busybox-static]=/bin/busybox
    [jq]=/usr/bin/jq
    # perf in the guest: ue-tail's kernel test decodes a `perf record` file.
    [linux-perf]=/usr/bin/perf
)
# Needed only to build the kernel.
declare -A BUILD_PKG_FILES=(
    [linux-source-6.12]=/usr/src/linux-source-6.12.tar.xz
    [build-essential]=/usr/share/doc/build-essential
    [bc]=/usr/bin/bc
    [bison]=/usr/bin/bison
    [flex]=/usr/bin/flex
    [cpio]=/usr/bin/cpio
    [xz-utils]=/usr/bin/xz
    [libelf-dev]=/usr/include/libelf.h
    [libssl-dev]=/usr/include/openssl/ssl.h
)

apt_install() {
    local missing=("$@")
    [[ ${#missing[@]} -eq 0 ]] && return 0
    [[ $(id -u) -eq 0 ]] || die "missing packages: ${missing[*]}; install them (as root: apt-get install ${missing[*]})"
    command -v apt-get >/dev/null || die "missing packages: ${missing[*]}, and apt-get is not available to install them"
    note "installing ${missing[*]} (apt-get)"
    local log
    log="$(mktemp "${TMPDIR:-/tmp}/kernel-test-apt.XXXXXX.log")"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get update >"$log" 2>&1; then
        tail -n 20 "$log" >&2
        die "apt-get update failed (full log: $log)"
    fi
    # linux-source-6.12 is in bookworm-security / bookworm-backports, depending on
    # the point release; enable backports when no configured suite has it.
    if [[ " ${missing[*]} " == *" $SOURCE_PKG "* ]] && ! apt_has_candidate "$SOURCE_PKG"; then
        enable_backports >>"$log" 2>&1 || true
    fi
    if ! apt-get install -y --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
        tail -n 20 "$log" >&2
        die "apt-get install ${missing[*]} failed (full log: $log)"
    fi
    rm -f "$log"
}

apt_has_candidate() {
    local candidate
    candidate="$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')"
    [[ -n $candidate && $candidate != "(none)" ]]
}

enable_backports() {
    local codename
    codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")"
    note "enabling ${codename}-backports for $SOURCE_PKG"
    echo "deb http://deb.debian.org/debian ${codename}-backports main" \
        >/etc/apt/sources.list.d/otel-ue-backports.list
    apt-get update
}

ensure_packages() {
    local -n files="$1"
    local missing=() pkg
    for pkg in "${!files[@]}"; do
        [[ -e ${files[$pkg]} ]] || missing+=("$pkg")
    done
    apt_install "${missing[@]}"
}

# ---------------------------------------------------------------------------
# Kernel build (cached outside the repo)
# ---------------------------------------------------------------------------

kernel_key() {
    local version
    version="$(dpkg-query -W -f='${Version}' "$SOURCE_PKG" 2>/dev/null)" ||
        die "$SOURCE_PKG is not installed"
    { echo "schema=$SCHEMA source=$SOURCE_PKG=$version"; cat "$FRAGMENT"; } |
        sha256sum | cut -c1-16
}

# Prints the path of the cached bzImage, building it first when needed.
ensure_kernel() {
    [[ -f $FRAGMENT ]] || die "kernel config fragment not found: $FRAGMENT"
    # Installing linux-source first: its version is part of the cache key.
    [[ -e ${BUILD_PKG_FILES[$SOURCE_PKG]} ]] || apt_install "$SOURCE_PKG"
    local key dir
    key="$(kernel_key)"
    dir="$CACHE_DIR/kernel-$key"
    if [[ -f $dir/bzImage ]]; then
        echo "$dir/bzImage"
        return
    fi
    ensure_packages BUILD_PKG_FILES
    build_kernel "$key" "$dir" >&2
    echo "$dir/bzImage"
}

build_kernel() {
    local key="$1" dest="$2"
    mkdir -p "$CACHE_DIR"
    # The source tree (1.5 GB, 80k files) goes to RAM when there is room:
    # unpacking and deleting it on a busy disk takes minutes.
    local tmp log parent="$CACHE_DIR"
    if [[ -d /dev/shm && -w /dev/shm ]] &&
        [[ $(df -Pk /dev/shm | awk 'NR == 2 {print $4}') -gt $((4 * 1024 * 1024)) ]]; then
        parent=/dev/shm
    fi
    tmp="$(mktemp -d "$parent/otel-ue-kernel-build-$key.XXXXXX")"
    # An interrupted or failed build leaves no source tree behind.
    BUILD_TMP="$tmp"
    trap 'rm -rf "${BUILD_TMP:-}" "${BUILD_STAGE:-}"' EXIT
    log="$CACHE_DIR/kernel-$key.build.log"
    note "building kernel $key (several minutes on 2 cores; log: $log)"
    local start=$SECONDS
    if ! (
        set -euo pipefail
        cd "$tmp"
        tar -xf "${BUILD_PKG_FILES[$SOURCE_PKG]}"
        cd linux-source-6.12
        make tinyconfig
        ./scripts/kconfig/merge_config.sh -m .config "$FRAGMENT"
        make olddefconfig
    ) >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        die "kernel configuration failed (build log kept: $log)"
    fi
    local src="$tmp/linux-source-6.12" missing=() line
    # merge_config/olddefconfig silently drop symbols whose dependencies are
    # unmet; a kernel without, say, USER_EVENTS would make every test skip.
    while IFS= read -r line; do
        [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]] || continue
        grep -qxF "$line" "$src/.config" || missing+=("${BASH_REMATCH[1]}")
    done <"$FRAGMENT"
    if [[ ${#missing[@]} -gt 0 ]]; then
        die "kernel config items did not stick after olddefconfig (unmet dependencies?): ${missing[*]}"
    fi
    if ! make -C "$src" -j"$(nproc)" bzImage >>"$log" 2>&1; then
        tail -n 40 "$log" >&2
        die "kernel build failed (build log kept: $log)"
    fi
    # Stage next to the destination so the final `mv` is an atomic rename: a
    # concurrent or interrupted build never leaves a half-written cache entry.
    local stage
    stage="$(mktemp -d "$CACHE_DIR/.kernel-$key.XXXXXX")"
    BUILD_STAGE="$stage"
    cp "$src/arch/x86/boot/bzImage" "$src/.config" "$stage/"
    if ! mv -T "$stage" "$dest" 2>/dev/null; then
        [[ -f $dest/bzImage ]] || die "could not move the kernel into $dest"
    fi
    rm -rf "$tmp" "$stage"
    BUILD_TMP="" BUILD_STAGE=""
    note "kernel built in $((SECONDS - start)) s: $dest/bzImage"
}

# ---------------------------------------------------------------------------
# Guest
# ---------------------------------------------------------------------------

# /init of the initramfs (busybox sh). Mounts the host root with a tmpfs overlay,
# runs /run/otel-ue/cmd.sh in a chroot of it, reports on the "ctl" virtio port.
write_init() {
    cat >"$1" <<'EOF'
#!/bin/busybox sh
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
EOF
    chmod +x "$1"
}

# Environment for the guest command: a fixed base plus what the user asked for.
write_env() {
    local name
    # The status port is for this script, not for the command's environment.
    printf 'ctl="$OTEL_UE_CTL"; unset OTEL_UE_CTL\n'
    printf 'export OTEL_UE_KERNEL_VM=1\n'
    printf 'export PATH=%q HOME=%q USER=root LANG=C.UTF-8\n' "$PATH" "${HOME:-/root}"
    for name in $(compgen -e); do
        case "$name" in
            RUST_BACKTRACE | RUST_LOG | RUST_LOG_* | RUST_TEST_* | RUST_MIN_STACK | OTEL_* | CARGO_HOME | RUSTUP_HOME)
                [[ $name == OTEL_UE_KERNEL_VM ]] && continue
                printf 'export %s=%q\n' "$name" "${!name}"
                ;;
        esac
    done
}

# Shell-quotes each argument (nothing at all for no arguments).
quote_args() {
    [[ $# -eq 0 ]] || printf '%q ' "$@"
}

# Guest script for `run`: cd, check the command exists, exec it.
write_run_script() {
    local file="$1"
    shift
    {
        echo 'set -u'
        write_env
        printf 'cd %q || exit 126\n' "$PWD"
        printf 'set -- %s\n' "$(quote_args "$@")"
        cat <<'EOF'
if ! type -P "$1" >/dev/null && ! type -t "$1" >/dev/null; then
    echo "NOTFOUND $1" >"$ctl"
    exit 127
fi
exec "$@"
EOF
    } >"$file"
}

# Guest script for `cargo-test`: every test binary, in its package's directory
# as cargo would run it; one "BIN index exit-code" status line per binary.
write_cargo_test_script() {
    local file="$1" list="$2"
    shift 2
    {
        echo 'set -u'
        write_env
        printf 'test_args=(%s)\n' "$(quote_args "$@")"
        echo 'status=0 i=0'
        local exe manifest name kind
        while IFS=$'\t' read -r exe manifest name kind; do
            printf 'run_one %q %q %q %q\n' "$exe" "$(dirname "$manifest")" "$name" "$kind"
        done <"$list"
        echo 'exit $status'
    } >"$file.body"
    {
        cat <<'EOF'
run_one() {
    local exe="$1" dir="$2" name="$3" kind="$4" rc
    i=$((i + 1))
    echo
    echo "==> [$i] $kind $name: $exe"
    if [ ! -x "$exe" ]; then
        echo "kernel-test: test binary not found in guest: $exe" >&2
        rc=127
    else
        (cd "$dir" && CARGO_MANIFEST_DIR="$dir" exec "$exe" "${test_args[@]}")
        rc=$?
    fi
    echo "BIN $i $rc" >"$ctl"
    [ $rc -eq 0 ] || status=1
}
EOF
        cat "$file.body"
    } >"$file"
    rm -f "$file.body"
}

pick_accel() {
    case "${OTEL_UE_ACCEL:-}" in
        kvm | tcg) echo "$OTEL_UE_ACCEL"; return ;;
        "") ;;
        *) die "OTEL_UE_ACCEL must be kvm or tcg, not '$OTEL_UE_ACCEL'" ;;
    esac
    # kvm_pvm ("pagetable virtual machine") provides /dev/kvm but cannot run a
    # stock kernel: qemu aborts on MSR 0x10a or hangs after SeaBIOS.
    if [[ -r /dev/kvm && -w /dev/kvm && ! -e /sys/module/kvm_pvm ]]; then
        echo kvm
    else
        echo tcg
    fi
}

# boot_guest WORKDIR KERNEL: boots with WORKDIR/cmd.sh as the guest command.
# Sets GUEST_EXIT (the command's exit code) and leaves status in WORKDIR/ctl.
boot_guest() {
    local work="$1" kernel="$2"
    local root="$work/initramfs"
    mkdir -p "$root"/{bin,dev,proc,sys}
    cp /bin/busybox "$root/bin/busybox"
    write_init "$root/init"
    cp "$work/cmd.sh" "$root/cmd.sh"
    (cd "$root" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) >"$work/initramfs.gz"

    # The command's stdout/stderr arrive on FIFOs that are copied to ours as the
    # guest writes them; the console (kernel messages) goes to a log file.
    mkfifo "$work/stdout" "$work/stderr"
    cat "$work/stdout" &
    local out_pid=$!
    cat "$work/stderr" >&2 &
    local err_pid=$!
    : >"$work/ctl"
    local console_log="$work/console.log"
    # Kernel messages stay off the console unless asked for: the serial port is
    # slow under TCG, and init dumps the kernel log there after the command.
    local cmdline="console=ttyS0 panic=-1 rdinit=/init random.trust_cpu=on"
    [[ $VERBOSE -eq 1 ]] || cmdline+=" quiet"

    local accel cpu
    accel="$(pick_accel)"
    if [[ $accel == kvm ]]; then
        cpu=host
    else
        cpu=max
        # Under TCG the guest TSC is the host's, and calibrating it on a busy
        # host can make guest time run several times too fast (seen: a 1 s test
        # run reported as 30 s). HPET follows the host clock.
        cmdline+=" clocksource=hpet"
    fi
    cmdline+="${OTEL_UE_KERNEL_ARGS:+ $OTEL_UE_KERNEL_ARGS}" # last, so it can override
    local qemu=(
        qemu-system-x86_64 -nodefaults -no-user-config -no-reboot
        -machine "q35,accel=$accel" -cpu "$cpu"
        -m "${OTEL_UE_MEM:-1G}" -smp "${OTEL_UE_SMP:-2}"
        -display none -monitor none
        -kernel "$kernel" -initrd "$work/initramfs.gz"
        # panic=-1: reboot at once on a panic, which -no-reboot turns into an exit.
        -append "$cmdline"
        -serial "file:$console_log"
        # multidevs=remap: the host root spans several filesystems; keep inode
        # numbers unique in the guest.
        -fsdev "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap"
        -device "virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot"
        -device virtio-serial-pci
        -chardev "file,id=out,path=$work/stdout"
        -device "virtserialport,chardev=out,name=otel-ue.stdout"
        -chardev "file,id=err,path=$work/stderr"
        -device "virtserialport,chardev=err,name=otel-ue.stderr"
        -chardev "file,id=ctl,path=$work/ctl"
        -device "virtserialport,chardev=ctl,name=otel-ue.ctl"
    )
    local qemu_rc=0 qemu_pid tail_pid=""
    timeout -k 10 "$TIMEOUT" "${qemu[@]}" </dev/null >"$work/qemu.log" 2>&1 &
    qemu_pid=$!
    if [[ $VERBOSE -eq 1 ]]; then
        # --pid: tail reads the rest of the log and exits once qemu is gone.
        tail -n +1 -F -s 0.2 --pid="$qemu_pid" "$console_log" 2>/dev/null |
            sed -u 's/^/[guest console] /' >&2 &
        tail_pid=$!
    fi
    wait "$qemu_pid" || qemu_rc=$?
    # If qemu never opened a FIFO its reader still waits in open(): opening it
    # read-write (which never blocks) and closing it gives the reader its EOF.
    local fifo fd
    for fifo in "$work/stdout" "$work/stderr"; do
        exec {fd}<>"$fifo"
        exec {fd}>&-
    done
    wait "$out_pid" "$err_pid" 2>/dev/null || true
    [[ -z $tail_pid ]] || wait "$tail_pid" 2>/dev/null || true

    GUEST_EXIT=""
    local line
    line="$(grep -a '^EXIT ' "$work/ctl" | tail -n 1 || true)"
    [[ -n $line ]] && GUEST_EXIT="${line#EXIT }"
    GUEST_EXIT="${GUEST_EXIT//[^0-9]/}"

    if [[ -z $GUEST_EXIT ]]; then
        # No exit status: tell why, as precisely as the evidence allows.
        show_logs "$work"
        if grep -aq 'Kernel panic' "$console_log"; then
            die "guest kernel panic: $(grep -a -m1 'Kernel panic' "$console_log" | tr -d '\r') (logs kept in $work)"
        elif [[ $qemu_rc -eq 124 || $qemu_rc -eq 137 ]]; then
            die "guest timed out after $TIMEOUT s (use --timeout SECS to allow more; logs kept in $work)"
        elif grep -aq '^INITFAIL' "$work/ctl"; then
            die "guest init failed: $(grep -a -m1 '^INITFAIL' "$work/ctl" | cut -c10-) (logs kept in $work)"
        elif [[ $qemu_rc -ne 0 ]]; then
            die "qemu failed with exit code $qemu_rc (logs kept in $work)"
        else
            die "the guest stopped without reporting an exit code (logs kept in $work)"
        fi
    fi
    if grep -aqE '(WARNING|BUG):|Oops' "$console_log"; then
        note "the guest kernel logged warnings (console log kept in $work/console.log):"
        grep -aE -B1 -A1 '(WARNING|BUG):|Oops' "$console_log" | head -n 40 | tr -d '\r' >&2
        KEEP_WORK=1
    fi
}

show_logs() {
    local work="$1"
    echo "----- guest console (last 40 lines of $work/console.log) -----" >&2
    tail -n 40 "$work/console.log" 2>/dev/null | tr -d '\r' >&2 || true
    if [[ -s $work/qemu.log ]]; then
        echo "----- qemu output ($work/qemu.log) -----" >&2
        tail -n 20 "$work/qemu.log" >&2
    fi
    echo "-----" >&2
    KEEP_WORK=1
}

make_workdir() {
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/kernel-test.XXXXXX")"
    KEEP_WORK=0
    trap 'cleanup' EXIT
}

# The work directory (initramfs, console and qemu logs) is kept when something
# went wrong in the harness or the guest kernel complained, for inspection.
cleanup() {
    [[ -n ${WORK:-} ]] || return 0
    if [[ ${KEEP_WORK:-0} -eq 0 ]]; then
        rm -rf "$WORK"
    else
        rm -rf "$WORK/initramfs" "$WORK/initramfs.gz" # the big, uninteresting part
    fi
}

# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------

cmd_build() {
    ensure_packages PKG_FILES
    ensure_kernel
}

cmd_run() {
    [[ $# -gt 0 ]] || die "run: no command given (usage: run -- CMD [ARGS...])"
    ensure_packages PKG_FILES
    local kernel
    kernel="$(ensure_kernel)"
    make_workdir
    write_run_script "$WORK/cmd.sh" "$@"
    local start=$SECONDS
    boot_guest "$WORK" "$kernel"
    if grep -aq '^NOTFOUND' "$WORK/ctl"; then
        die "command not found in guest: $1 (looked in PATH=$PATH inside the chroot of the host root)"
    fi
    note "guest finished in $((SECONDS - start)) s, exit code $GUEST_EXIT"
    exit "$GUEST_EXIT"
}

cmd_cargo_test() {
    local cargo_args=() test_args=()
    while [[ $# -gt 0 ]]; do
        if [[ $1 == -- ]]; then
            shift
            test_args=("$@")
            break
        fi
        cargo_args+=("$1")
        shift
    done
    ensure_packages PKG_FILES
    local kernel
    kernel="$(ensure_kernel)"
    make_workdir

    # Build on the host; the JSON messages name each test executable.
    note "building tests: cargo test --no-run ${cargo_args[*]}"
    if ! cargo test --no-run --message-format=json-render-diagnostics "${cargo_args[@]}" >"$WORK/cargo.json"; then
        die "cargo test --no-run failed"
    fi
    jq -r 'select(.reason == "compiler-artifact" and .profile.test == true and .executable != null)
           | [.executable, .manifest_path, .target.name, (.target.kind[0])] | @tsv' \
        "$WORK/cargo.json" >"$WORK/tests.tsv"
    local count
    count="$(wc -l <"$WORK/tests.tsv")"
    [[ $count -gt 0 ]] || die "cargo built no test executables for: ${cargo_args[*]:-(no args)}"

    write_cargo_test_script "$WORK/cmd.sh" "$WORK/tests.tsv" "${test_args[@]}"
    local start=$SECONDS
    boot_guest "$WORK" "$kernel"

    # Summary: one line per binary, from the guest's status lines.
    local i=0 failed=0 ok=0 exe manifest name kind rc
    echo >&2
    note "summary ($((SECONDS - start)) s in the guest):"
    while IFS=$'\t' read -r exe manifest name kind; do
        i=$((i + 1))
        rc="$(grep -a "^BIN $i " "$WORK/ctl" | head -n 1 | awk '{print $3}' | tr -dc 0-9)"
        if [[ -z $rc ]]; then
            note "  NOT RUN   $kind $name"
            failed=$((failed + 1))
        elif [[ $rc -eq 0 ]]; then
            note "  ok        $kind $name"
            ok=$((ok + 1))
        else
            note "  FAILED    $kind $name (exit code $rc)"
            failed=$((failed + 1))
        fi
    done <"$WORK/tests.tsv"
    note "$ok of $count test binaries succeeded in the guest"
    [[ $failed -eq 0 && $GUEST_EXIT -eq 0 ]] || exit 1
}

TIMEOUT=600
VERBOSE=0
main() {
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --timeout)
                [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || die "--timeout needs a number of seconds"
                TIMEOUT="$2"
                shift 2
                ;;
            --timeout=*)
                TIMEOUT="${1#--timeout=}"
                [[ $TIMEOUT =~ ^[0-9]+$ ]] || die "--timeout needs a number of seconds"
                shift
                ;;
            --verbose) VERBOSE=1; shift ;;
            -h | --help) usage; exit 0 ;;
            *) break ;;
        esac
    done
    [[ $# -gt 0 ]] || { usage >&2; exit 2; }
    local cmd="$1"
    shift
    case "$cmd" in
        build) cmd_build "$@" ;;
        run)
            [[ ${1:-} == -- ]] && shift
            cmd_run "$@"
            ;;
        cargo-test) cmd_cargo_test "$@" ;;
        accel) pick_accel ;;
        *) usage >&2; die "unknown command: $cmd" ;;
    esac
}

# `exit` on the same line: bash reads scripts lazily, so a script edited while
# it runs would otherwise go on executing whatever text follows.
main "$@"; exit
