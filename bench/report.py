#!/usr/bin/env python3
"""Prints JMH results as a table: the median time of each implementation per problem, and
each peer's time divided by Neurite's (above 1: Neurite is faster)."""
import json
import sys
from collections import defaultdict

PEERS = ["onednn", "openblas", "java"]


def main(path):
    with open(path) as f:
        runs = json.load(f)
    table = defaultdict(dict)
    unit = {}
    for run in runs:
        bench = run["benchmark"].split(".")[-2]
        params = dict(run.get("params", {}))
        impl = params.pop("impl")
        threads = params.pop("threads", "?")
        problem = ", ".join(f"{v}" if k == "shape" else f"{k}={v}" for k, v in sorted(params.items()))
        key = (bench, problem, threads)
        table[key][impl] = run["primaryMetric"]["scorePercentiles"]["50.0"]
        unit[key] = run["primaryMetric"]["scoreUnit"]
    print(f"| benchmark | problem | threads | neurite | " + " | ".join(PEERS) + " | "
          + " | ".join(f"{p}/neurite" for p in PEERS) + " |")
    print("|" + "---|" * (4 + 2 * len(PEERS)))
    for key in sorted(table):
        row = table[key]
        mine = row.get("neurite")
        cells = [f"{row[p]:.1f}" if p in row else "" for p in PEERS]
        ratios = [f"{row[p] / mine:.2f}x" if p in row and mine else "" for p in PEERS]
        bench, problem, threads = key
        print(f"| {bench} | {problem} | {threads} | {mine:.1f} {unit[key]} | " + " | ".join(cells) + " | "
              + " | ".join(ratios) + " |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/results/jmh.json")
