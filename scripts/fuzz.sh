#!/usr/bin/env bash
# Runs the cargo-fuzz targets in fuzz/ for a while each (default 60 s; the
# three targets, processor_any_value, perf_data_file and eventheader_payload,
# then take 3 minutes besides the build), on the stable toolchain: cargo-fuzz
# needs nightly-only compiler flags, which RUSTC_BOOTSTRAP=1 allows on
# stable; without a sanitizer (`-s none`, which needs no nightly-only std)
# libFuzzer still guides the search by coverage and every panic or failed
# assertion is a crash. An input that runs longer than OTEL_UE_FUZZ_TIMEOUT
# seconds (default 30) is a crash too: a hang.
#
#   scripts/fuzz.sh [SECONDS_EACH] [TARGET...]
#
# Installs cargo-fuzz (`cargo install --locked`) when it is missing. A crash
# leaves its input in fuzz/artifacts/<target>/ and makes this script fail;
# replay it with `RUSTC_BOOTSTRAP=1 cargo fuzz run -s none <target> <file>`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../fuzz"

seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(processor_any_value perf_data_file eventheader_payload)
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install --locked cargo-fuzz
fi

export RUSTC_BOOTSTRAP=1
for target in "${targets[@]}"; do
    # The checked-in seeds (corpus/<target>/seed-*) start the search; what the
    # run adds stays out of git (see .gitignore).
    mkdir -p "corpus/$target"
    # A fixed seed (OTEL_UE_FUZZ_SEED to change it): every run follows the
    # same sequence of inputs, a slower machine a shorter prefix of it, so a
    # CI run fails only for a crash the code has, not for a lucky draw.
    cargo fuzz run --sanitizer none "$target" "corpus/$target" -- \
        -seed="${OTEL_UE_FUZZ_SEED:-1}" -max_total_time="$seconds" -rss_limit_mb=4096 \
        -timeout="${OTEL_UE_FUZZ_TIMEOUT:-30}" -print_final_stats=1
done
