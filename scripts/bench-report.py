#!/usr/bin/env python3
"""Turn one benchmark run into README's performance tables (its performance targets).

Usage: scripts/bench-report.py [--run RUN_DIR] [--readme README.md] [TARGET_DIR]

Reads criterion's results under TARGET_DIR/criterion (default: $CARGO_TARGET_DIR
or ./target) and, from RUN_DIR (written by scripts/bench.sh), the callgrind
instruction counts and how the run went (VM acceleration, load). Prints the
markdown, or with --readme replaces the text between the benchmark markers of
that file. Every ratio compares results of the same run: absolute times
depend on the machine (and under TCG on the emulator), ratios much less.

Tables: one per criterion group, each benchmark's time and its ratio to the
group's peers and limits (ids starting with L0, L1, P1, P2, P3; for ids with a
parameter, such as `ours/4_attributes` or `ue_log/2`, the peer with the same
parameter). Groups with L1 also get the user-space overhead, time minus L1;
scaling groups the throughput relative to one thread.

The VM's timed benchmarks run several times in one boot (RUN_DIR/repeats/<i>/
criterion): each time in the tables is then the median of the runs, and a
"spread" column gives (max - min) / median. Where the host kernel had
user_events, RUN_DIR/host-kernel/criterion holds the same benchmarks run there,
reported in their own tables.
"""
import statistics
import argparse
import datetime
import json
import os
import platform
import re
import sys
from pathlib import Path

REFERENCES = ("L0", "L1", "P1", "P2", "P3")
START = "<!-- benchmarks:start -->"
END = "<!-- benchmarks:end -->"


def slope_ns(estimates: Path) -> float:
    data = json.loads(estimates.read_text())
    # The slope of the linear fit is what criterion prints as "time"; mean when absent.
    return (data.get("slope") or data["mean"])["point_estimate"]


def load_groups(root: Path) -> dict:
    """{group: {benchmark id: ns}} from criterion's directory tree."""
    groups = {}
    for estimates in sorted(root.glob("**/new/estimates.json")):
        # Directory names replace "/" in ids with "_"; benchmark.json has the real id.
        meta = json.loads((estimates.parent / "benchmark.json").read_text())
        group = meta["group_id"]
        bench = meta["full_id"][len(group) + 1 :]
        groups.setdefault(group, {})[bench] = slope_ns(estimates)
    return {g: dict(sorted(rows.items())) for g, rows in groups.items()}


def load_repeats(run: Path) -> list:
    """Each repeat's {group: {benchmark id: ns}}, in run order."""
    root = run / "repeats"
    if not root.is_dir():
        return []
    dirs = sorted((d for d in root.iterdir() if d.name.isdigit()), key=lambda d: int(d.name))
    return [load_groups(d / "criterion") for d in dirs if (d / "criterion").is_dir()]


def median_of_repeats(groups: dict, repeats: list) -> tuple:
    """`groups` with each repeated benchmark's time replaced by the median of the
    repeats, and {(group, bench): spread} for those that were repeated."""
    spreads = {}
    merged = {g: dict(rows) for g, rows in groups.items()}
    if len(repeats) < 2:
        return merged, spreads
    for group, rows in repeats[-1].items():
        for bench in rows:
            values = [r[group][bench] for r in repeats if bench in r.get(group, {})]
            if len(values) < 2 or max(values) == min(values):
                continue  # not measured again (a host group every repeat carries along)
            median = statistics.median(values)
            merged.setdefault(group, {})[bench] = median
            spreads[(group, bench)] = (max(values) - min(values)) / median
    return merged, spreads


def fmt_time(ns: float) -> str:
    if abs(ns) < 1:
        return f"{ns * 1000:.0f} ps"
    if abs(ns) < 1000:
        return f"{ns:.2f} ns"
    return f"{ns / 1000:.2f} µs"


def split(bench: str):
    name, _, param = bench.partition("/")
    return name, param


def references(rows: dict, bench: str) -> dict:
    """The peers and limits to compare `bench` with: {label: ns}."""
    _, param = split(bench)
    refs = {}
    for other, ns in rows.items():
        name, other_param = split(other)
        if name.startswith(REFERENCES) and other_param == param:
            refs[name.split("_")[0]] = ns
    return refs


def group_table(group: str, rows: dict, spreads: dict, runs: int) -> str:
    labels = sorted({label for b in rows for label in references(rows, b)})
    has_l1 = "L1" in labels
    scaling = group.startswith("scaling")
    repeated = any(g == group for g, _ in spreads)
    header = ["benchmark", f"time (median of {runs})" if repeated else "time"]
    if repeated:
        header.append("spread")
    header += [f"÷ {label}" for label in labels]
    if has_l1:
        header.append("− L1")
    if scaling:
        header.append("throughput ÷ 1 thread")
    lines = [f"**`{group}`**", "", "| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
    for bench, ns in rows.items():
        refs = references(rows, bench)
        cells = [f"`{bench}`", fmt_time(ns)]
        if repeated:
            spread = spreads.get((group, bench))
            cells.append(f"{spread * 100:.0f} %" if spread is not None else "")
        cells += [f"{ns / refs[label]:.2f}" if label in refs else "" for label in labels]
        if has_l1:
            cells.append(fmt_time(ns - refs["L1"]) if "L1" in refs else "")
        if scaling:
            name, threads = split(bench)
            one = rows.get(f"{name}/1")
            cells.append(f"{int(threads) * one / ns:.2f}" if one and threads.isdigit() else "")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def load_instructions(run: Path) -> dict:
    """{peer: instructions per event} from the callgrind runs."""
    counts = {}
    path = run / "instructions.txt"
    if path.exists():
        for line in path.read_text().splitlines():
            fields = line.split()
            if len(fields) == 3:
                peer, iterations, total = fields
                counts[peer] = int(total.replace(",", "")) / int(iterations)
    return counts


def instructions_table(counts: dict) -> str:
    """Instructions per event, each path next to its reference: L0 when disabled,
    L1 when enabled (the difference is the user-space overhead), the tracing
    appender for the fallback."""
    if not counts:
        return ""
    lines = [
        "**User-space instructions per event** (callgrind; enabled paths in the VM, the syscall "
        "itself not counted; every count includes the benchmark loop's indirect call; "
        "`metrics_export/*`: per data point of a 100-point export, `metrics_idle/*`: per export "
        "with nobody listening)",
        "",
        "| path | instructions | reference | ÷ reference | − reference |",
        "|---|---|---|---|---|",
    ]
    for peer, n in counts.items():
        if peer.startswith("metrics_export/"):
            ref = "metrics_export/peer"
        elif peer.startswith("metrics_idle/"):
            ref = "metrics_idle/noop"
        elif peer.startswith("disabled/tracing_"):
            ref = "disabled/tracing_filter_says_no"
        elif peer.startswith("disabled/"):
            ref = "disabled/L0_atomic_load"
        elif peer.startswith("fallback/"):
            ref = "fallback/tracing_appender"
        elif peer.startswith("context/"):
            ref = ""
        else:
            ref = "L1_raw_writev"
        base = counts.get(ref)
        cells = [f"`{peer}`", f"{n:.0f}", f"`{ref}`" if base else ""]
        cells += [f"{n / base:.2f}", f"{n - base:.0f}"] if base else ["", ""]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def target_rows(groups: dict, counts: dict):
    """(target, measured, met) for each performance target this run measured."""
    def get(group, bench):
        return groups.get(group, {}).get(bench)

    rows = []

    def ratio(label, num, den, limit, at_most=True):
        if num is None or den is None or den == 0:
            return
        value = num / den
        rows.append((label, f"{value:.2f}", value <= limit if at_most else value >= limit))

    ue = get("disabled", "ue_log")
    ratio("disabled `ue_log!` ÷ L0 ≤ 1.2", ue, get("disabled", "L0_atomic_load"), 1.2)
    ratio("disabled `ue_log!` ÷ P2 ≤ 1.2", ue, get("disabled", "P2_eventheader_write_event"), 1.2)
    ratio("disabled P1 ÷ `ue_log!` ≥ 5", get("disabled", "P1_seed_tracing_appender_processor"), ue, 5, False)
    off = lambda peer: counts.get(f"disabled/{peer}")
    ratio(
        "disabled in instructions: a library provider's `ue_log!` (started, nobody listening) ÷ `ue_log!` ≤ 1",
        off("ue_log_library"),
        off("ue_log"),
        1.0,
    )
    ratio("disabled in instructions: `ue_log!` ÷ L0 ≤ 1.2", off("ue_log"), off("L0_atomic_load"), 1.2)
    ratio("disabled in instructions: `ue_log!` ÷ P2 ≤ 1.2", off("ue_log"), off("P2_eventheader_write_event"), 1.2)
    ratio(
        "disabled in instructions: P1 ÷ `ue_log!` ≥ 5",
        off("P1_seed_tracing_appender_processor"),
        off("ue_log"),
        5,
        False,
    )
    ratio(
        "disabled `#[otel_event]` ÷ (L0 + the function) ≤ 1.2",
        get("otel_event_disabled", "otel_event"),
        get("otel_event_disabled", "L0_load_then_unannotated"),
        1.2,
    )
    en, l1 = get("enabled", "ue_log"), get("enabled", "L1_raw_writev")
    p1 = get("enabled", "P1_seed_tracing_appender_processor")
    ratio("enabled `ue_log!` ÷ L1 ≤ 1.15", en, l1, 1.15)
    if None not in (en, l1, p1):
        ratio("enabled overhead (− L1): P1 ÷ `ue_log!` ≥ 5", p1 - l1, en - l1, 5, False)
    if "ue_log" in counts and "L1_raw_writev" in counts and "P1_seed_tracing_appender_processor" in counts:
        base = counts["L1_raw_writev"]
        ratio(
            "enabled overhead in instructions: P1 ÷ `ue_log!` ≥ 5",
            counts["P1_seed_tracing_appender_processor"] - base,
            counts["ue_log"] - base,
            5,
            False,
        )
    ratio(
        "`#[otel_event]` activity (start + stop) ÷ one plain event ≤ 2.2",
        get("otel_event_enabled", "otel_event_activity"),
        get("otel_event_enabled", "otel_event"),
        2.2,
    )
    ratio(
        "`#[otel_event]` activity ÷ one plain event in instructions ≤ 2.2",
        counts.get("otel_event_activity"),
        counts.get("otel_event"),
        2.2,
    )
    if "ue_log" in counts:
        rows.append((
            "enabled `ue_log!` in instructions ≤ 400",
            f"{counts['ue_log']:.0f}",
            counts["ue_log"] <= 400,
        ))
    if "otel_event" in counts:
        rows.append((
            "enabled `#[otel_event]` in instructions (the annotated call included) ≤ 400",
            f"{counts['otel_event']:.0f}",
            counts["otel_event"] <= 400,
        ))
    if "tracing_layer" in counts and "floor/tracing_visit" in counts:
        floor = counts["floor/tracing_visit"]
        rows.append((
            f"enabled `tracing` layer in instructions ≤ floor/tracing_visit ({floor:.0f}) + 600",
            f"{counts['tracing_layer']:.0f} (floor + {counts['tracing_layer'] - floor:.0f})",
            counts["tracing_layer"] <= floor + 600,
        ))
    for peer, n in (("processor_emit", 4), ("processor_emit6", 6)):
        if f"{peer}/ours" in counts and f"{peer}/P1_seed" in counts:
            ratio(
                f"processor `emit` instructions, {n} attributes: ours ÷ seed ≤ 0.5",
                counts[f"{peer}/ours"],
                counts[f"{peer}/P1_seed"],
                0.5,
            )
    # The tracing layer, against tracing with a layer whose
    # filter says no (disabled), tracing-etw's layer and P1 (enabled, above L1).
    ratio(
        "disabled `tracing` layer ÷ `tracing` with a filter saying no ≤ 1.2",
        get("tracing_layer_disabled", "layer"),
        get("tracing_layer_disabled", "tracing_filter_says_no"),
        1.2,
    )
    ratio(
        "disabled in instructions: `tracing` layer ÷ `tracing` with a filter saying no ≤ 1.2",
        off("tracing_layer"),
        off("tracing_filter_says_no"),
        1.2,
    )
    layer = get("tracing_layer_enabled", "layer")
    for peer, label in (("tracing_etw", "tracing-etw"), ("P1_seed_tracing_appender_processor", "P1")):
        other = get("tracing_layer_enabled", peer)
        if None not in (layer, other, l1):
            ratio(f"enabled overhead (− L1): {label} ÷ `tracing` layer ≥ 5", other - l1, layer - l1, 5, False)
        if "tracing_layer" in counts and peer in counts and "L1_raw_writev" in counts:
            base = counts["L1_raw_writev"]
            ratio(
                f"enabled overhead in instructions: {label} ÷ `tracing` layer ≥ 5",
                counts[peer] - base,
                counts["tracing_layer"] - base,
                5,
                False,
            )
    for n in ("4_attributes", "6_attributes"):
        seed = get("processor_emit_enabled", f"P1_seed/{n}")
        ours = get("processor_emit_enabled", f"ours/{n}")
        base = get("processor_enabled", f"L1_raw_writev/{n}")
        if None not in (seed, ours, base):
            ratio(f"processor `emit` overhead (− L1), {n.replace('_', ' ')}: seed ÷ ours ≥ 2", seed - base, ours - base, 2, False)
    if "processor_emit/ours" in counts and "processor_emit/P1_seed" in counts and "L1_raw_writev" in counts:
        base = counts["L1_raw_writev"]
        ratio(
            "processor `emit` overhead in instructions: seed ÷ ours ≥ 2",
            counts["processor_emit/P1_seed"] - base,
            counts["processor_emit/ours"] - base,
            2,
            False,
        )
    peer_span = get("spans_on_end_enabled", "peer/simple_span")
    our_span = get("spans_on_end_enabled", "ours/simple_span")
    span_l1 = get("spans_enabled", "L1_raw_writev/simple_span")
    if None not in (peer_span, our_span, span_l1):
        ratio("span processor `on_end` overhead (− L1): peer ÷ ours ≥ 2", peer_span - span_l1, our_span - span_l1, 2, False)
    if "span_on_end/ours" in counts and "span_on_end/peer" in counts and "L1_raw_writev" in counts:
        base = counts["L1_raw_writev"]
        ratio(
            "span processor `on_end` overhead in instructions: peer ÷ ours ≥ 2",
            counts["span_on_end/peer"] - base,
            counts["span_on_end/ours"] - base,
            2,
            False,
        )
    for peer, label in (("metrics_export/ours", "one point an event"), ("metrics_export/ours_packed", "packed")):
        ratio(
            f"metric export per data point in instructions ({label}): ours ÷ peer ≤ 0.5",
            counts.get(peer),
            counts.get("metrics_export/peer"),
            0.5,
        )
    ratio(
        "metric export with nobody listening in instructions: ours ÷ an exporter that returns at once ≤ 1.2",
        counts.get("metrics_idle/ours"),
        counts.get("metrics_idle/noop"),
        1.2,
    )
    ratio("fallback `ue_log!` ÷ tracing appender ≤ 1", get("fallback", "ue_log"), get("fallback", "tracing_appender"), 1.0)
    ratio(
        "fallback in instructions: `ue_log!` ÷ tracing appender ≤ 1",
        counts.get("fallback/ue_log"),
        counts.get("fallback/tracing_appender"),
        1.0,
    )
    # Scaling: the floor's own scaling in the same run is the yardstick (a loaded
    # host or the emulator cannot give two threads two whole CPUs).
    for group, label, floor in (
        ("scaling_disabled", "disabled", "L0_atomic_load"),
        ("scaling_enabled", "enabled", "L1_raw_writev"),
    ):
        for threads in (2, 4):
            ours = [get(group, f"ue_log/{t}") for t in (1, threads)]
            base = [get(group, f"{floor}/{t}") for t in (1, threads)]
            if None in ours + base:
                continue
            ours_scaling = threads * ours[0] / ours[1]
            base_scaling = threads * base[0] / base[1]
            rows.append((
                f"{label} throughput with {threads} threads ÷ 1 thread: `ue_log!` "
                f"(vs {floor.split('_')[0]}: {base_scaling:.2f}); ≥ 0.9 × {floor.split('_')[0]}'s",
                f"{ours_scaling:.2f}",
                ours_scaling >= 0.9 * base_scaling,
            ))
    return rows


def load_code_size(run: Path) -> dict:
    """scripts/code-size.sh's lines: kind -> (sites, bytes with 1, bytes with N, build seconds)."""
    path = run / "code-size.txt"
    sizes = {}
    if path.exists():
        for line in path.read_text().splitlines():
            kind, sites, one, many, seconds = line.split()
            sizes[kind] = (int(sites), int(one), int(many), float(seconds))
    return sizes


def per_site(entry) -> float:
    sites, one, many, _ = entry
    return (many - one) / (sites - 1)


def code_size_rows(sizes: dict) -> list:
    if "ue_log" in sizes and "tracing" in sizes:
        ours, theirs = per_site(sizes["ue_log"]), per_site(sizes["tracing"])
        return [(
            "code size per call site (stripped release binary): `ue_log!` ÷ `tracing::info!` ≤ 1",
            f"{ours / theirs:.2f} ({ours:.0f} B ÷ {theirs:.0f} B)",
            ours <= theirs,
        )]
    return []


def code_size_table(sizes: dict) -> str:
    if not sizes:
        return ""
    names = {"ue_log": "`ue_log!`", "tracing": "`tracing::info!`", "eventheader": "`eventheader::write_event!`"}
    lines = [
        "**Code size per call site** (`scripts/code-size.sh`: a release binary with 1 and with N "
        "call sites of the 4-field event, each in its own function, stripped; build time of the "
        "N-site binary, its dependencies already built)",
        "",
        "| call site | N | binary with 1 | binary with N | per call site | build time |",
        "|---|---|---|---|---|---|",
    ]
    for kind, entry in sizes.items():
        sites, one, many, seconds = entry
        lines.append(
            f"| {names.get(kind, kind)} | {sites} | {one / 1024:.0f} KB | {many / 1024:.0f} KB | "
            f"{per_site(entry):.0f} B | {seconds:.1f} s |"
        )
    return "\n".join(lines) + "\n"


def run_description(run: Path) -> str:
    def read(name):
        path = run / name
        return path.read_text().strip() if path.exists() else ""

    cpu = ""
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    load = lambda text: re.sub(r".*load average: ", "", text) if text else "?"
    accel = read("accel.txt") or "?"
    vm = (
        "qemu **TCG** (software emulation: only ratios within the run mean anything)"
        if accel == "tcg"
        else f"qemu {accel.upper()}"
    )
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"Run {date} by `scripts/bench.sh`. Host: {platform.machine()}, {os.cpu_count()} CPUs"
        + (f" ({cpu})" if cpu else "")
        + f", Linux {platform.release()}; load average before {load(read('load-before.txt'))}, "
        f"after {load(read('load-after.txt'))}. Enabled paths: Linux 6.12 guest with user_events "
        f"under {vm}, 2 vCPUs, TSC clocksource, ftrace listening."
    )


def report(groups: dict, counts: dict, run: Path) -> str:
    repeats = load_repeats(run)
    groups, spreads = median_of_repeats(groups, repeats)
    parts = [run_description(run), ""]
    if spreads:
        parts += [
            f"The VM's timed benchmarks ran {len(repeats)} times in the one boot: their times are "
            "the medians, \"spread\" is (max − min) ÷ median; callgrind's instruction counts are "
            "the steady evidence.",
            "",
        ]
    sizes = load_code_size(run)
    targets = target_rows(groups, counts) + code_size_rows(sizes)
    if targets:
        parts += ["| target | this run | |", "|---|---|---|"]
        for label, value, met in targets:
            status = "" if met is None else ("met" if met else "**missed**")
            parts.append(f"| {label} | {value} | {status} |")
        parts.append("")
    order = ["disabled", "otel_event_disabled", "enabled", "otel_event_enabled", "processor_disabled",
             "processor_enabled", "processor_emit_enabled", "spans_disabled", "spans_enabled",
             "spans_on_end_enabled", "tracing_layer_disabled", "tracing_layer_enabled",
             "fallback", "fallback_record",
             "scaling_disabled", "scaling_enabled"]
    for group in sorted(groups, key=lambda g: (order.index(g) if g in order else len(order), g)):
        parts.append(group_table(group, groups[group], spreads, len(repeats)))
    host_kernel = run / "host-kernel" / "criterion"
    if host_kernel.is_dir():
        parts.append("**On the host's own kernel with user_events (no VM)**\n")
        for group, rows in load_groups(host_kernel).items():
            if "enabled" in group:
                parts.append(group_table(f"{group} (host kernel)", rows, {}, 1))
    table = instructions_table(counts)
    if table:
        parts.append(table)
    table = code_size_table(sizes)
    if table:
        parts.append(table)
    return "\n".join(parts).rstrip() + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("target", nargs="?", default=os.environ.get("CARGO_TARGET_DIR", "target"))
    parser.add_argument("--run", help="the run directory scripts/bench.sh wrote")
    parser.add_argument("--readme", help="replace the text between the benchmark markers of this file")
    args = parser.parse_args()
    root = Path(args.target) / "criterion"
    if not root.is_dir():
        print(f"no criterion results in {root}: run scripts/bench.sh (or cargo bench) first", file=sys.stderr)
        return 1
    run = Path(args.run) if args.run else Path(args.target) / "bench-run"
    text = report(load_groups(root), load_instructions(run), run)
    if not args.readme:
        print(text)
        return 0
    readme = Path(args.readme)
    content = readme.read_text()
    if START not in content or END not in content:
        print(f"{readme} has no {START} ... {END} markers", file=sys.stderr)
        return 1
    before, rest = content.split(START, 1)
    _, after = rest.split(END, 1)
    readme.write_text(f"{before}{START}\n{text}{END}{after}")
    print(f"wrote the tables into {readme}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
