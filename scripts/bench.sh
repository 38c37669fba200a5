#!/usr/bin/env bash
# Every benchmark of README's performance targets in one run, then README's performance tables.
#
#   1. on the host: disabled paths, #[otel_event], fallback, processor (disabled),
#      multi-thread scaling (disabled);
#   2. in one boot of the user_events VM (scripts/kernel-test.sh, TSC clocksource):
#      the enabled paths with their peers and L1 in the same process, enabled
#      scaling, and callgrind counts of user-space instructions per event;
#   3. code size per call site (scripts/code-size.sh: release binaries with 1
#      and with 500 call sites of ue_log!, tracing::info! and eventheader);
#   4. scripts/bench-report.py writes the tables, with date, machine and whether
#      the VM ran under TCG, between the benchmark markers of README.md.
#
# Usage: scripts/bench.sh [--no-readme] [--repeats N]
#   --no-readme   print the tables only
#   --repeats N   run the VM's timed benchmarks N times in the one boot (default 3):
#                 TCG timings swing by tens of percent between runs, so the tables
#                 give each one's median and spread ((max - min) / median)
# Takes about 15 minutes under TCG, plus about 4 per extra repeat. Close other
# work first: only ratios from the same run are compared, but a busy machine
# makes every number noisier.
#
# Where the host kernel itself has user_events (<tracefs>/user_events_data
# exists and is writable), the enabled benchmarks also run on the host, without
# the VM, and README gives both.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

readme=README.md
repeats=3
code_size_sites=500
while [[ $# -gt 0 ]]; do
    case $1 in
    --no-readme) readme="" ;;
    --repeats)
        repeats=${2:?--repeats needs a number}
        shift
        ;;
    *)
        echo "usage: scripts/bench.sh [--no-readme] [--repeats N]" >&2
        exit 2
        ;;
    esac
    shift
done
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
cargo bench --bench disabled --bench otel_event --bench fallback --bench processor --bench scaling \
    --bench tracing_layer --bench spans

step "building the VM benchmarks"
# The executables, by bench name, from cargo's JSON messages.
cargo bench --no-run --message-format=json \
    --bench enabled --bench otel_event --bench processor --bench scaling --bench tracing_layer --bench spans \
    --bench instructions |
    python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and "bench" in m["target"]["kind"]:
        print(m["target"]["name"], m["executable"])
' >"$run_dir/executables.txt"
exe() { awk -v n="$1" '$1 == n { print $2 }' "$run_dir/executables.txt"; }

# Instructions: enough events that start-up is noise, few enough for callgrind under TCG.
# The timed benchmarks that need a kernel; REPEATS times, each run's criterion
# results kept apart (repeats/<i>/criterion), the last run's in criterion/.
enabled_benches() {
    cat <<BENCHES
$(exe enabled) --bench >&2
$(exe otel_event) --bench '^otel_event_enabled/' >&2
$(exe processor) --bench '^processor_(emit_)?enabled/' >&2
$(exe spans) --bench '^spans_(on_end_)?enabled/' >&2
$(exe scaling) --bench '^scaling_enabled/' >&2
$(exe tracing_layer) --bench '^tracing_layer_enabled/' >&2
BENCHES
}
cat >"$run_dir/guest.sh" <<GUEST
set -e
for i in \$(seq 1 $repeats); do
$(enabled_benches)
    mkdir -p /tmp/repeats/\$i && cp -r "$target/criterion" /tmp/repeats/\$i/
done
# count PEER ITERATIONS PER: callgrind's user-space instructions of ITERATIONS
# calls, written as "PEER PER TOTAL" (the report divides TOTAL by PER).
count() {
    valgrind --tool=callgrind --callgrind-out-file=/tmp/callgrind.out --collect-atstart=no \\
        --toggle-collect='*measured*' $(exe instructions) "\$1" "\$2" 2>/tmp/callgrind.log >&2 ||
        { cat /tmp/callgrind.log >&2; exit 1; }
    echo "\$1 \$3 \$(sed -n 's/.*Collected : *//p' /tmp/callgrind.log)" >>/tmp/instructions.txt
}
for peer in ue_log otel_event otel_event_activity L1_raw_writev P2_eventheader_write_event \\
    P1_seed_tracing_appender_processor processor_emit/ours processor_emit/P1_seed \\
    processor_emit6/ours processor_emit6/P1_seed \\
    disabled/ue_log disabled/ue_log_library \\
    tracing_layer tracing_etw disabled/tracing_layer disabled/tracing_etw disabled/tracing_filter_says_no \\
    floor/tracing_visit \\
    span_on_end/ours span_on_end/peer metrics_idle/ours metrics_idle/peer metrics_idle/noop; do
    count "\$peer" 2000 2000
done
# The metric exporters: 50 exports of a 100-point collection, per data point.
for peer in metrics_export/ours metrics_export/ours_packed metrics_export/peer; do
    count "\$peer" 50 5000
done
grep . /proc/cpuinfo | sed -n 's/^model name[[:space:]]*: //p' | head -1 >/tmp/guest-cpu.txt
tar -C "$target" -cf - criterion -C /tmp instructions.txt guest-cpu.txt repeats
GUEST

# A host kernel with user_events: the same benchmarks here too (README gives both).
host_user_events=""
for tracefs in /sys/kernel/tracing /sys/kernel/debug/tracing; do
    if [[ -w $tracefs/user_events_data ]]; then host_user_events=$tracefs; fi
done

step "user-space instructions per event, paths that need no kernel (callgrind)"
for peer in disabled/ue_log disabled/L0_atomic_load disabled/P2_eventheader_write_event \
    disabled/P3_tracing_no_subscriber disabled/P1_seed_tracing_appender_processor \
    fallback/ue_log fallback/tracing_appender context/map_current_none context/map_current_span; do
    valgrind --tool=callgrind --callgrind-out-file="$run_dir/callgrind.out" --collect-atstart=no \
        --toggle-collect='*measured*' "$(exe instructions)" "$peer" 2000 2>"$run_dir/callgrind.log" >&2 ||
        { cat "$run_dir/callgrind.log" >&2; exit 1; }
    echo "$peer 2000 $(sed -n 's/.*Collected : *//p' "$run_dir/callgrind.log")" >>"$run_dir/instructions-host.txt"
done

step "code size per call site (release builds of $code_size_sites call sites of each kind)"
scripts/code-size.sh --sites "$code_size_sites" --out "$run_dir/code-size.txt"

step "enabled benchmarks in the VM ($(scripts/kernel-test.sh accel))"
scripts/kernel-test.sh accel >"$run_dir/accel.txt"
OTEL_UE_KERNEL_ARGS="clocksource=tsc tsc=reliable" \
    scripts/kernel-test.sh --timeout 3000 run -- sh "$run_dir/guest.sh" | tar -C "$run_dir" -xf -
# The VM's criterion results join the host's (the guest saw the host's and added its own).
cp -r "$run_dir/criterion/." "$target/criterion/"
cat "$run_dir/instructions-host.txt" >>"$run_dir/instructions.txt"
uptime >"$run_dir/load-after.txt"

if [[ -n $host_user_events ]]; then
    step "enabled benchmarks on the host kernel ($host_user_events)"
    mkdir -p "$run_dir/host-kernel"
    saved="$run_dir/criterion-vm" && cp -r "$target/criterion" "$saved"
    sh -c "$(enabled_benches)"
    cp -r "$target/criterion" "$run_dir/host-kernel/criterion"
    rm -rf "$target/criterion" && cp -r "$saved" "$target/criterion"
fi

step "report"
python3 scripts/bench-report.py --run "$run_dir" ${readme:+--readme "$readme"} "$target"
