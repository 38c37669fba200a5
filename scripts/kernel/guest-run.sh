# shellcheck shell=bash
# Runs in the guest: the start of every guest command script. kernel/command.sh
# writes that script (this file, the environment, then calls of the functions
# below) and the guest's /init runs it with bash in the chroot of the host root.
# The status lines on the "ctl" port are for kernel-test.sh on the host.
set -u
# The status port is for kernel-test, not for the command's environment.
ctl="$OTEL_UE_CTL"
unset OTEL_UE_CTL

# run_command CMD [ARGS...]: `run`; checks the command exists, then execs it.
run_command() {
    if ! type -P "$1" >/dev/null && ! type -t "$1" >/dev/null; then
        echo "NOTFOUND $1" >"$ctl"
        exit 127
    fi
    exec "$@"
}

# For `cargo-test`: how many test binaries were started, and 1 once one failed.
tests_started=0
tests_status=0

# run_test_binary EXE DIR NAME KIND [TEST-ARGS...]: `cargo-test`; runs one test
# binary in its package's directory, as cargo would, and reports
# "BIN <index> <exit code>".
run_test_binary() {
    local exe="$1" dir="$2" name="$3" kind="$4" rc
    shift 4
    tests_started=$((tests_started + 1))
    echo
    echo "==> [$tests_started] $kind $name: $exe"
    if [[ ! -x $exe ]]; then
        echo "kernel-test: test binary not found in guest: $exe" >&2
        rc=127
    else
        (cd "$dir" && CARGO_MANIFEST_DIR="$dir" exec "$exe" "$@")
        rc=$?
    fi
    echo "BIN $tests_started $rc" >"$ctl"
    [[ $rc -eq 0 ]] || tests_status=1
}

# end_tests: `cargo-test`, after the last binary; fails when one failed.
end_tests() {
    exit "$tests_status"
}
