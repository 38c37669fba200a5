#!/usr/bin/env bash
# The whole test suite, as CI runs it:
#   1. formatting, lints (clippy, and shellcheck on the scripts), no import
#      circle between modules (scripts/check-modules.sh, whose checker
#      scripts/module-circles is formatted, linted and tested first) and docs
#      must be clean, and the libraries and ue-tail must build with the
#      workspace's declared rust-version (installed with rustup when missing;
#      OTEL_UE_MSRV_CHECK=0 skips it) and for macOS and Windows, and every
#      crate must package;
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
# The libraries as a user builds them: without the features the workspace's
# dev-dependencies turn on (items used only by `tracing` or `testing`).
cargo clippy --locked -p otel-user-events-runtime -p otel-user-events --no-default-features \
    -- -D warnings

# The rust-version the manifests declare is a promise to users: build what
# they build (libraries and ue-tail, every feature) with that toolchain.
# Tests, benches and examples are not part of it: their dev-dependencies may
# need a newer Rust.
if [ "${OTEL_UE_MSRV_CHECK:-1}" != 0 ]; then
    msrv="$(sed -n 's/^rust-version = "\(.*\)"$/\1/p' Cargo.toml)"
    [[ $msrv =~ ^[0-9]+\.[0-9]+$ ]] && msrv="$msrv.0"
    [[ $msrv =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || {
        echo "test.sh: no rust-version = \"X.Y\" in Cargo.toml's [workspace.package]" >&2
        exit 2
    }
    step "cargo +$msrv check (the declared rust-version)"
    if ! rustup run "$msrv" rustc --version >/dev/null 2>&1; then
        rustup toolchain install "$msrv" --profile minimal || {
            echo "test.sh: cannot install Rust $msrv (OTEL_UE_MSRV_CHECK=0 skips this check)" >&2
            exit 2
        }
    fi
    cargo "+$msrv" check --workspace --lib --bins --all-features --locked
fi

# Many users write their code on macOS or Windows and deploy it on Linux: the
# library must build there too (DataFile::open then says "user_events exists
# only on Linux", and events go to OpenTelemetry). Checked, not run: only each
# target's standard library is needed, no linker. ue-tail and
# otel-user-events-listen build there too, into a program that says it needs
# Linux and the listener's files-only part.
step "cross-platform build (macOS, Windows)"
cross_targets=(x86_64-apple-darwin x86_64-pc-windows-gnu)
rustup target add "${cross_targets[@]}"
for target in "${cross_targets[@]}"; do
    cargo clippy --locked --target "$target" -p otel-user-events \
        --features tracing,testing,stdout,metrics -- -D warnings
    # abi's tests too: one asserts the "only on Linux" error there.
    cargo clippy --locked --target "$target" -p otel-user-events-abi \
        -p otel-user-events-listen --all-targets -- -D warnings
    cargo clippy --locked --target "$target" -p ue-tail -- -D warnings
done

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

# Every crate packages as crates.io would receive it (the files each ships,
# LICENSE-* included) and builds from its package alone, its workspace
# dependencies taken from the packages made in the same run (--allow-dirty:
# a local run over uncommitted edits checks them too).
step "cargo package --workspace"
cargo package --workspace --locked --allow-dirty --quiet

step "tests without a kernel"
cargo test --workspace

step "tests against a real kernel (VM)"
scripts/kernel-test.sh cargo-test --workspace --test 'kernel_*' --test vm_smoke

fuzz_seconds="${OTEL_UE_FUZZ_SECONDS:-60}"
if [ "$fuzz_seconds" != 0 ]; then
    step "fuzzing (${fuzz_seconds} s per target)"
    scripts/fuzz.sh "$fuzz_seconds"
fi
