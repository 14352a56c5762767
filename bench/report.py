#!/usr/bin/env python3
"""Prints JMH results as a table: the median time of each implementation per problem, and
each peer's time divided by Neurite's (above 1: Neurite is faster), under the CPU model and
the vector extensions that decide which kernels every library runs. Run it on the machine
that ran the benchmarks: the CPU line describes this one."""
import json
import subprocess
import sys
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


def main(paths):
    runs = []
    for path in paths:  # JMH's results, then any peer measured outside the JVM (pytorch_training.py)
        with open(path) as f:
            runs += json.load(f)
    table = defaultdict(dict)
    unit = {}
    allocated = {}  # bytes of Java heap per call, where JMH's gc profiler ran
    for run in runs:
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
            allocated[(bench, problem, impl)] = norm["scorePercentiles"]["50.0"]
    print(cpu_summary())
    print()
    print(f"| benchmark | problem | threads | neurite | " + " | ".join(PEERS) + " | "
          + " | ".join(f"{p}/neurite" for p in PEERS) + " |")
    print("|" + "---|" * (4 + 2 * len(PEERS)))
    for key in sorted(table):
        row = table[key]
        mine = row.get("neurite")
        cells = [f"{row[p]:.1f}" if p in row else "" for p in PEERS]
        ratios = [f"{row[p] / mine:.2f}x" if p in row and mine else "" for p in PEERS]
        bench, problem, threads = key
        mine_text = f"{mine:.1f} {unit[key]}" if mine else ""
        print(f"| {bench} | {problem} | {threads} | {mine_text} | " + " | ".join(cells) + " | "
              + " | ".join(ratios) + " |")
    if allocated:
        print()
        print("Java heap allocated per training step (JMH gc profiler, bytes):")
        for (bench, problem, impl), value in sorted(allocated.items()):
            print(f"- {bench} {problem} {impl}: {value:.0f}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["bench/results/jmh.json"])
