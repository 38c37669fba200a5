# shellcheck shell=bash
# Boots the guest under qemu: an initramfs of busybox, kernel/init.sh and the
# command script, the host root shared over virtio-9p, the command's output and
# status on virtio-serial ports. Sourced by kernel-test.sh; uses its TIMEOUT and
# VERBOSE options and lib/log.sh.

# Prints how the guest runs: kvm (hardware virtualization) or tcg (emulation).
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
    cp "$SCRIPT_DIR/kernel/init.sh" "$root/init"
    chmod +x "$root/init"
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
