#!/usr/bin/env python3
"""Prints JMH results as a table: the median time of each implementation per problem, and
each peer's time divided by Neurite's (above 1: Neurite is faster), under the CPU model and
the vector extensions that decide which kernels every library runs. Run it on the machine
that ran the benchmarks: the CPU line describes this one."""
import argparse
import glob
import json
import statistics
import subprocess
from collections import defaultdict

# neurite_avx2 is Neurite capped at AVX2: its ratio is what the AVX-512 tier gains.
PEERS = ["neurite_avx2", "onednn", "openblas", "onnxruntime", "pytorch", "java"]
ISA_FLAGS = ["avx2", "avx512f"]


def cpu_summary():
    """'CPU: <model name>; avx2: yes, avx512f: no' from lscpu, or why it is unknown."""
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        return f"CPU: unknown (lscpu failed: {e})"
    fields = dict(line.split(":", 1) for line in lscpu.splitlines() if ":" in line)
    model = fields.get("Model name", "unknown").strip()
    # Virtual machines often report only the vendor's brand ("AMD EPYC"): family and model tell the generation.
    family = f" (family {fields.get('CPU family', '?').strip()}, model {fields.get('Model', '?').strip()})"
    flags = set(fields.get("Flags", "").split())
    return f"CPU: {model}{family}; " + ", ".join(f"{f}: {'yes' if f in flags else 'no'}" for f in ISA_FLAGS)


def read_round(records, table, unit, allocated):
    """Adds one run's records to table[key][impl] (its median) and to unit and allocated."""
    for run in records:
        bench = run["benchmark"].split(".")[-2]
        params = dict(run.get("params", {}))
        impl = params.pop("impl")
        threads = params.pop("threads", "?")
        problem = ", ".join(f"{v}" if k == "shape" else f"{k}={v}" for k, v in sorted(params.items()))
        key = (bench, problem, threads)
        table[key][impl] = run["primaryMetric"]["scorePercentiles"]["50.0"]
        unit[key] = run["primaryMetric"]["scoreUnit"]
        norm = run.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
        if norm is not None and impl.startswith("neurite") and bench == "SeedTrainingBenchmark":
            allocated[(bench, problem, impl)].append(norm["scorePercentiles"]["50.0"])


def main(round_paths, peer_paths):
    """round_paths: JMH result files, one per round; peer_paths: peers timed once outside the
    JVM (pytorch_training.py), which join every round."""
    peers_once = []
    for path in peer_paths:
        with open(path) as f:
            peers_once += json.load(f)
    rounds, unit, allocated = [], {}, defaultdict(list)
    for path in round_paths:
        with open(path) as f:
            table = defaultdict(dict)
            read_round(json.load(f) + peers_once, table, unit, allocated)
            rounds.append(table)
    # Each figure is the median over rounds, and each ratio the median of the rounds' own ratios:
    # a shared machine drifts between rounds more than within one.
    keys = sorted({key for table in rounds for key in table})
    print(cpu_summary())
    print()
    if len(rounds) > 1:
        print(f"{len(rounds)} rounds; each ratio is the median of the rounds' ratios, its range in brackets.")
        print()
    print(f"| benchmark | problem | threads | neurite | " + " | ".join(PEERS) + " | "
          + " | ".join(f"{p}/neurite" for p in PEERS) + " |")
    print("|" + "---|" * (4 + 2 * len(PEERS)))
    for key in keys:
        def times(impl):
            return [table[key][impl] for table in rounds if impl in table.get(key, {})]

        def ratios(impl):
            return [table[key][impl] / table[key]["neurite"] for table in rounds
                    if impl in table.get(key, {}) and table[key].get("neurite")]

        mine = times("neurite")
        cells = [f"{statistics.median(times(p)):.1f}" if times(p) else "" for p in PEERS]
        ratio_cells = []
        for p in PEERS:
            r = ratios(p)
            spread = f" ({min(r):.2f}-{max(r):.2f})" if len(r) > 1 else ""
            ratio_cells.append(f"{statistics.median(r):.2f}x{spread}" if r else "")
        bench, problem, threads = key
        mine_text = f"{statistics.median(mine):.1f} {unit[key]}" if mine else ""
        print(f"| {bench} | {problem} | {threads} | {mine_text} | " + " | ".join(cells) + " | "
              + " | ".join(ratio_cells) + " |")
    if allocated:
        print()
        # JMH's gc profiler divides what every thread of the JVM allocated, its own harness threads
        # included, by the steps: a step that allocates nothing still shows a few bytes.
        print("Java heap allocated per training step (JMH gc profiler, bytes, median over rounds; every JVM thread"
              " counted, JMH's own included; MemoryTest holds the stepping thread's to 0):")
        for (bench, problem, impl), values in sorted(allocated.items()):
            print(f"- {bench} {problem} {impl}: {statistics.median(values):.0f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rounds", nargs="*", help="JMH results, one file per round (default: bench/results/jmh-round*.json)")
    parser.add_argument("--peers", action="append", default=[], help="a peer's results measured once, outside the JVM")
    args = parser.parse_args()
    main(args.rounds or sorted(glob.glob("bench/results/jmh-round*.json")), args.peers)
