#!/usr/bin/env bash
# Fails when modules of a crate use each other in a circle (module A uses B and
# B uses A, directly or through others), in every library and binary of the
# workspace. A use is a `use` item or any path in the code, function bodies
# and macro arguments included; a re-exported item counts in the module that
# declares it. The checker is scripts/module-circles (built here, in seconds;
# its tests run on the fixture crates in scripts/module-circles/tests); it
# prints every circle with the lines that make it.
#
#   scripts/check-modules.sh [PACKAGE...]    (default: every workspace member)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=lib/log.sh
. scripts/lib/log.sh
# shellcheck source=lib/apt.sh
. scripts/lib/apt.sh

command -v jq >/dev/null || apt_install jq

# The workspace's target directory, so its build is cached like the rest.
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --quiet --release --locked --manifest-path scripts/module-circles/Cargo.toml --target-dir "$target_dir"
checker="$target_dir/release/module-circles"

# "package<TAB>target<TAB>root file" for each library and binary; tests,
# benches, examples and build scripts are not part of the crates' code.
targets="$(cargo metadata --no-deps --format-version 1 | jq -r '
    .packages[] | .name as $pkg | .targets[]
    | select(any(.kind[]; test("^bin$|lib$|^proc-macro$")))
    | [$pkg, .name, .src_path] | @tsv')"

failed=()
checked=0
while IFS=$'\t' read -r pkg target root; do
    if [[ $# -gt 0 && " $* " != *" $pkg "* ]]; then
        continue
    fi
    checked=$((checked + 1))
    if ! "$checker" "$root"; then
        note "$pkg ($target): import circle (above)"
        failed+=("$pkg")
    fi
done <<<"$targets"
[[ $checked -gt 0 ]] || die "no such workspace package: $*"
if [[ ${#failed[@]} -gt 0 ]]; then
    die "modules use each other in a circle in: ${failed[*]}"
fi
note "no import circle ($checked crates checked)"
