#!/usr/bin/env bash
# Run commands and test binaries inside a small Linux 6.12 kernel that has
# user_events, booted under qemu. The host kernel may lack user_events; this
# gives every developer and CI the same real kernel to test against.
#
# The guest sees the host's root filesystem (read-only over virtio-9p, with a
# throw-away tmpfs overlay on top so programs can write), so host-built,
# dynamically linked binaries run unchanged, as root, in the same directory.
#
# This file parses the command line and runs the commands; the pieces live in
# kernel/: build.sh (the cached kernel), boot.sh (qemu), command.sh (writes the
# guest's command script, which starts with guest-run.sh), init.sh (the guest's
# /init); and in lib/: log.sh (messages), apt.sh (package installs).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPT_DIR

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

# shellcheck source=lib/log.sh
. "$SCRIPT_DIR/lib/log.sh"
# shellcheck source=lib/apt.sh
. "$SCRIPT_DIR/lib/apt.sh"
# shellcheck source=kernel/build.sh
. "$SCRIPT_DIR/kernel/build.sh"
# shellcheck source=kernel/command.sh
. "$SCRIPT_DIR/kernel/command.sh"
# shellcheck source=kernel/boot.sh
. "$SCRIPT_DIR/kernel/boot.sh"

# Debian package -> a file it installs, so nothing is installed when present.
# shellcheck disable=SC2034 # used through a nameref in ensure_packages
declare -A PKG_FILES=(
    [qemu-system-x86]=/usr/bin/qemu-system-x86_64
    [busybox-static]=/bin/busybox
    [jq]=/usr/bin/jq
    # perf in the guest: ue-tail's kernel test decodes a `perf record` file.
    [linux-perf]=/usr/bin/perf
)

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
