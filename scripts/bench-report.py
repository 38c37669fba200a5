#!/usr/bin/env python3
"""Turn criterion results into README's markdown tables of ratios.

Usage: scripts/bench-report.py [TARGET_DIR]   (default: $CARGO_TARGET_DIR or ./target)

For each benchmark group found under TARGET/criterion, prints one table: every
benchmark's mean time and its ratio to the group's reference rows (names that
start with L0, L1, P1, P2 or P3, the peers and limits of SPEC section 9), all
from the same run. Ratios are the point: absolute times depend on the machine.
"""
import json
import os
import sys
from pathlib import Path

REFERENCES = ("L0", "L1", "P1", "P2", "P3")


def mean_ns(bench_dir: Path):
    estimates = bench_dir / "new" / "estimates.json"
    if not estimates.exists():
        return None
    data = json.loads(estimates.read_text())
    # The slope of the linear fit is what criterion prints as "time"; mean when absent.
    return (data.get("slope") or data["mean"])["point_estimate"]


def fmt_time(ns: float) -> str:
    if ns < 1:
        return f"{ns * 1000:.0f} ps"
    if ns < 1000:
        return f"{ns:.2f} ns"
    return f"{ns / 1000:.2f} µs"


def table(group: Path) -> str:
    rows = {}
    for bench in sorted(p for p in group.iterdir() if p.is_dir() and p.name != "report"):
        ns = mean_ns(bench)
        if ns is not None:
            rows[bench.name] = ns
    if not rows:
        return ""
    refs = [name for name in rows if name.startswith(REFERENCES)]
    # With a raw write (L1) in the group, also show the user-space overhead: cost - L1.
    l1 = next((rows[r] for r in refs if r.startswith("L1")), None)
    header = "| benchmark | time | " + " | ".join(f"÷ {r.split('_')[0]}" for r in refs) + " |"
    if l1 is not None:
        header += " − L1 |"
    columns = 2 + len(refs) + (l1 is not None)
    lines = [f"**{group.name}**", "", header, "|---" * columns + "|"]
    for name, ns in rows.items():
        ratios = " | ".join(f"{ns / rows[r]:.2f}" for r in refs)
        overhead = f" {fmt_time(ns - l1)} |" if l1 is not None else ""
        lines.append(f"| `{name}` | {fmt_time(ns)} | {ratios} |{overhead}")
    return "\n".join(lines) + "\n"


def main() -> int:
    target = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CARGO_TARGET_DIR", "target"))
    root = target / "criterion"
    if not root.is_dir():
        print(f"no criterion results in {root}: run cargo bench first", file=sys.stderr)
        return 1
    tables = [table(g) for g in sorted(root.iterdir()) if g.is_dir() and g.name != "report"]
    print("\n".join(t for t in tables if t))
    return 0


if __name__ == "__main__":
    sys.exit(main())
