#!/usr/bin/env python3
"""Summarises the fault-injection runs: median and range of every figure, per scenario.

Usage: scripts/fault-report.py [DIR]   (default .build/fault-report, where each run of
MimirFaultInjectionTests appends one JSON line per scenario to <scenario>.jsonl)
"""
import json
import pathlib
import statistics
import sys

folder = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".build/fault-report")
files = sorted(folder.glob("*.jsonl"))
if not files:
    sys.exit(f"no runs in {folder}: run swift test --filter MimirFaultInjectionTests first")
for path in files:
    runs = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    groups = {}
    for run in runs:
        key = path.stem + (f" (appendfsync {run['appendfsync']})" if "appendfsync" in run else "")
        groups.setdefault(key, []).append(run)
    for name, group in groups.items():
        print(f"## {name}: {len(group)} runs")
        keys = sorted({k for run in group for k, v in run.items() if isinstance(v, (int, float))})
        for key in keys:
            values = [run[key] for run in group if key in run]
            low, high = min(values), max(values)
            median = statistics.median(values)
            spread = f"{low:g}" if low == high else f"{low:g}–{high:g}"
            print(f"  {key}: median {median:g}, range {spread}")
