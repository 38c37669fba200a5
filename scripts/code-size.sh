#!/usr/bin/env bash
# Code size per call site: builds a release binary with 1 and with SITES call
# sites of each kind (`ue_log!`, `tracing::info!`, `eventheader::write_event!`,
# each with the benchmark's 4 fields: u64, &str, f64, bool) and reports what a
# call site adds to the stripped binary, and how long the SITES-site binary
# took to build (its dependencies already built).
#
# Usage: scripts/code-size.sh [--sites N] [--out FILE]
# Writes "KIND SITES BYTES_1 BYTES_N BUILD_SECONDS" lines to FILE (default:
# stdout). scripts/bench.sh runs it; README's table reads its output.
set -euo pipefail
cd "$(dirname "$0")/.."
sites=500
out=/dev/stdout
while [[ $# -gt 0 ]]; do
    case "$1" in
        --sites) sites="$2"; shift ;;
        --out) out="$2"; shift ;;
        *) echo "code-size: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
root="$PWD"
target="${CARGO_TARGET_DIR:-$root/target}"
probe="$target/code-size-probe"
rm -rf "$probe/src"
mkdir -p "$probe/src"
# The workspace's versions of every dependency (no resolution, no network).
cp "$root/Cargo.lock" "$probe/Cargo.lock"
cat >"$probe/Cargo.toml" <<TOML
[package]
name = "code-size-probe"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
otel-user-events = { path = "$root" }
tracing = "0.1"
eventheader = "0.5"

[profile.release]
debug = false
TOML

# site KIND I: one call site of KIND in its own function, a distinct event name.
site() {
    local kind=$1 i=$2
    echo "#[inline(never)]"
    echo "pub fn site_$i(order_id: u64, customer: &str, amount: f64, express: bool) {"
    case "$kind" in
        ue_log)
            echo "    otel_user_events::ue_log!(info, \"Event$i\", order_id = order_id, customer = customer, amount = amount, express = express);" ;;
        tracing)
            echo "    tracing::info!(order_id = order_id, customer = customer, amount = amount, express = express, \"Event$i\");" ;;
        eventheader)
            echo "    eventheader::write_event!(PROVIDER, \"Event$i\", level(Informational), u64(\"order_id\", &order_id), str8(\"customer\", customer), f64(\"amount\", &amount), bool8(\"express\", &express));" ;;
    esac
    echo "}"
}

# program KIND N: a binary with N call sites, every one reachable.
program() {
    local kind=$1 n=$2 i
    echo "use std::hint::black_box;"
    if [[ $kind == eventheader ]]; then echo 'eventheader::define_provider!(PROVIDER, "CodeSize");'; fi
    for ((i = 0; i < n; i++)); do site "$kind" "$i"; done
    echo "type Site = fn(u64, &str, f64, bool);"
    echo "static SITES: &[Site] = &["
    for ((i = 0; i < n; i++)); do echo "    site_$i,"; done
    echo "];"
    echo "fn main() {"
    echo "    for site in black_box(SITES) {"
    echo "        site(black_box(42), black_box(\"ada\"), black_box(9.99), black_box(true));"
    echo "    }"
    echo "}"
}

kinds=(ue_log tracing eventheader)
{
    for kind in "${kinds[@]}"; do
        for n in 1 "$sites"; do
            program "$kind" "$n" >"$probe/src/${kind}_$n.rs"
            printf '[[bin]]\nname = "%s_%s"\npath = "src/%s_%s.rs"\n\n' "$kind" "$n" "$kind" "$n"
        done
    done
} >>"$probe/Cargo.toml"

build() { CARGO_TARGET_DIR="$probe/target" cargo build --offline --release --quiet --manifest-path "$probe/Cargo.toml" "$@"; }
stripped_size() {
    strip -o "$probe/stripped" "$probe/target/release/$1"
    stat -c %s "$probe/stripped"
}

# The dependencies and the 1-site binaries first: the timed builds then
# compile only their own crate.
bins=()
for kind in "${kinds[@]}"; do bins+=(--bin "${kind}_1"); done
build "${bins[@]}"
results=$(mktemp)
for kind in "${kinds[@]}"; do
    start=$(date +%s.%N)
    build --bin "${kind}_$sites"
    end=$(date +%s.%N)
    seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
    echo "$kind $sites $(stripped_size "${kind}_1") $(stripped_size "${kind}_$sites") $seconds" >>"$results"
done
cat "$results" >"$out"
rm -f "$results"
