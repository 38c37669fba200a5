# shellcheck shell=bash
# Writes the guest command script (cmd.sh) for `run` and `cargo-test`:
# kernel/guest-run.sh, the environment, then what to run, shell-quoted.
# Sourced by kernel-test.sh.

# Environment for the guest command: a fixed base plus what the user asked for.
write_env() {
    local name
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

# write_run_script FILE CMD [ARGS...]: runs CMD in the current directory.
write_run_script() {
    local file="$1"
    shift
    {
        cat "$SCRIPT_DIR/kernel/guest-run.sh"
        write_env
        printf 'cd %q || exit 126\n' "$PWD"
        printf 'run_command %s\n' "$(quote_args "$@")"
    } >"$file"
}

# write_cargo_test_script FILE LIST [TEST-ARGS...]: runs every test binary of
# LIST (cargo's "executable, manifest, target name, kind" lines, tab-separated)
# with TEST-ARGS, and fails when one of them failed.
write_cargo_test_script() {
    local file="$1" list="$2"
    shift 2
    local test_args exe manifest name kind
    test_args="$(quote_args "$@")"
    {
        cat "$SCRIPT_DIR/kernel/guest-run.sh"
        write_env
        while IFS=$'\t' read -r exe manifest name kind; do
            printf 'run_test_binary %q %q %q %q %s\n' "$exe" "$(dirname "$manifest")" "$name" "$kind" "$test_args"
        done <"$list"
        echo end_tests
    } >"$file"
}
