#!/usr/bin/env bash
# The whole test suite, as CI runs it:
#   1. formatting, lints (clippy, and shellcheck on the scripts), no import
#      circle between modules (scripts/check-modules.sh, whose checker
#      scripts/module-circles is formatted, linted and tested first) and docs
#      must be clean;
#   2. every test that needs no kernel (unit, integration, trybuild UI, doc tests);
#   3. the real-kernel suite (tests named kernel_* and the harness smoke test),
#      inside a qemu VM running a Linux 6.12 kernel with user_events
#      (built once and cached, see scripts/kernel-test.sh);
#   4. a short fuzz run of every cargo-fuzz target (scripts/fuzz.sh, 60 s each;
#      OTEL_UE_FUZZ_SECONDS changes it, 0 skips it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "shellcheck"
scripts/check-shell.sh

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

# The circle checker is a crate of its own (not a workspace member): check it
# like one, in the workspace's target directory as check-modules.sh builds it.
step "the import-circle checker: fmt, clippy, tests"
checker_manifest=scripts/module-circles/Cargo.toml
checker_target="${CARGO_TARGET_DIR:-$PWD/target}"
cargo fmt --manifest-path "$checker_manifest" -- --check
cargo clippy --locked --manifest-path "$checker_manifest" --target-dir "$checker_target" \
    --all-targets -- -D warnings
cargo test --locked --quiet --manifest-path "$checker_manifest" --target-dir "$checker_target"

step "no import circle between modules"
scripts/check-modules.sh

step "cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet

step "tests without a kernel"
cargo test --workspace

step "tests against a real kernel (VM)"
scripts/kernel-test.sh cargo-test --workspace --test 'kernel_*' --test vm_smoke

fuzz_seconds="${OTEL_UE_FUZZ_SECONDS:-60}"
if [ "$fuzz_seconds" != 0 ]; then
    step "fuzzing (${fuzz_seconds} s per target)"
    scripts/fuzz.sh "$fuzz_seconds"
fi
