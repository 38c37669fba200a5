#!/usr/bin/env bash
# Every benchmark of SPEC §9 in one run, then README's performance tables.
#
#   1. on the host: disabled paths, #[otel_event], fallback, processor (disabled),
#      multi-thread scaling (disabled);
#   2. in one boot of the user_events VM (scripts/kernel-test.sh, TSC clocksource):
#      the enabled paths with their peers and L1 in the same process, enabled
#      scaling, and callgrind counts of user-space instructions per event;
#   3. scripts/bench-report.py writes the tables, with date, machine and whether
#      the VM ran under TCG, between the benchmark markers of README.md.
#
# Usage: scripts/bench.sh [--no-readme]    (--no-readme: print the tables only)
# Takes about 15 minutes under TCG. Close other work first: only ratios from the
# same run are compared, but a busy machine makes every number noisier.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

readme=README.md
[[ ${1:-} == --no-readme ]] && readme=""
target="${CARGO_TARGET_DIR:-$PWD/target}"
run_dir="$target/bench-run"
step() { printf '\n==> %s\n' "$*" >&2; }

if ! command -v valgrind >/dev/null; then
    step "installing valgrind (callgrind counts instructions)"
    if [[ $(id -u) -eq 0 ]]; then apt-get install -y --no-install-recommends valgrind >&2; else sudo apt-get install -y --no-install-recommends valgrind >&2; fi
fi

rm -rf "$target/criterion" "$run_dir"
mkdir -p "$run_dir"
uptime >"$run_dir/load-before.txt"

step "host benchmarks"
cargo bench --bench disabled --bench otel_event --bench fallback --bench processor --bench spans --bench scaling

step "building the VM benchmarks"
# The executables, by bench name, from cargo's JSON messages.
cargo bench --no-run --message-format=json \
    --bench enabled --bench otel_event --bench processor --bench spans --bench scaling --bench instructions |
    python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and "bench" in m["target"]["kind"]:
        print(m["target"]["name"], m["executable"])
' >"$run_dir/executables.txt"
exe() { awk -v n="$1" '$1 == n { print $2 }' "$run_dir/executables.txt"; }

# Instructions: enough events that start-up is noise, few enough for callgrind under TCG.
cat >"$run_dir/guest.sh" <<GUEST
set -e
$(exe enabled) --bench >&2
$(exe otel_event) --bench '^otel_event_enabled/' >&2
$(exe processor) --bench '^processor_(emit_)?enabled/' >&2
$(exe spans) --bench '^spans_(on_end_)?enabled/' >&2
$(exe scaling) --bench '^scaling_enabled/' >&2
for peer in ue_log L1_raw_writev P2_eventheader_write_event P1_seed_tracing_appender_processor \\
    processor_emit/ours processor_emit/P1_seed span_on_end/ours span_on_end/peer; do
    valgrind --tool=callgrind --callgrind-out-file=/tmp/callgrind.out --collect-atstart=no \\
        --toggle-collect='*measured*' $(exe instructions) "\$peer" 2000 2>/tmp/callgrind.log >&2 ||
        { cat /tmp/callgrind.log >&2; exit 1; }
    echo "\$peer 2000 \$(sed -n 's/.*Collected : *//p' /tmp/callgrind.log)" >>/tmp/instructions.txt
done
grep . /proc/cpuinfo | sed -n 's/^model name[[:space:]]*: //p' | head -1 >/tmp/guest-cpu.txt
tar -C "$target" -cf - criterion -C /tmp instructions.txt guest-cpu.txt
GUEST

step "user-space instructions per event, paths that need no kernel (callgrind)"
for peer in disabled/ue_log disabled/L0_atomic_load disabled/P2_eventheader_write_event \
    disabled/P3_tracing_no_subscriber disabled/P1_seed_tracing_appender_processor \
    fallback/ue_log fallback/tracing_appender; do
    valgrind --tool=callgrind --callgrind-out-file="$run_dir/callgrind.out" --collect-atstart=no \
        --toggle-collect='*measured*' "$(exe instructions)" "$peer" 2000 2>"$run_dir/callgrind.log" >&2 ||
        { cat "$run_dir/callgrind.log" >&2; exit 1; }
    echo "$peer 2000 $(sed -n 's/.*Collected : *//p' "$run_dir/callgrind.log")" >>"$run_dir/instructions-host.txt"
done

step "enabled benchmarks in the VM ($(scripts/kernel-test.sh accel))"
scripts/kernel-test.sh accel >"$run_dir/accel.txt"
OTEL_UE_KERNEL_ARGS="clocksource=tsc tsc=reliable" \
    scripts/kernel-test.sh --timeout 3000 run -- sh "$run_dir/guest.sh" | tar -C "$run_dir" -xf -
# The VM's criterion results join the host's (the guest saw the host's and added its own).
cp -r "$run_dir/criterion/." "$target/criterion/"
cat "$run_dir/instructions-host.txt" >>"$run_dir/instructions.txt"
uptime >"$run_dir/load-after.txt"

step "report"
python3 scripts/bench-report.py --run "$run_dir" ${readme:+--readme "$readme"} "$target"
