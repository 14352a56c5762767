#!/usr/bin/env bash
# Runs the JMH benchmarks with every library on the same thread count, then prints the table
# of medians and ratios. oneDNN and OpenBLAS read their thread counts only when the JVM
# starts, so they are set here, for the forked benchmark JVMs to inherit.
#   bench/run-benchmarks.sh                  # everything
#   bench/run-benchmarks.sh ConvBenchmark    # JMH's usual filters and options pass through
#   ROUNDS=3 bench/run-benchmarks.sh Training
# ROUNDS runs the whole selection that many times: a shared machine's speed drifts by up to 2x
# over minutes, and a peer's ratio from the round that ran both is steadier than one between
# forks far apart; the table gives each ratio's median over the rounds and its range.
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${THREADS:-2}
mvn -B -ntp -q install -DskipTests
mkdir -p bench/results
# Two vCPUs of a shared machine can be near or far apart, and batch-1 figures follow: say which.
latency() { java -cp bench/target/benchmarks.jar org.neurite.bench.CoreLatency | sed "s/^/$1 the run, /"; }
rm -f bench/results/jmh*.json
latency before > bench/results/core-latency.txt
results=()
for round in $(seq 1 "${ROUNDS:-1}"); do
  result=bench/results/jmh-round$round.json
  OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads \
    java -jar bench/target/benchmarks.jar -p threads="$threads" -prof gc -rf json -rff "$result" "$@"
  results+=("$result")
done
latency after >> bench/results/core-latency.txt
cat bench/results/core-latency.txt
# PyTorch, the training peer, runs in Python (Debian's python3-torch), when the run includes training.
if [[ $# -eq 0 || "$*" == *Training* ]]; then
  if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    /usr/bin/python3 bench/pytorch_training.py --threads "$threads" --out bench/results/pytorch.json
    results+=(--peers bench/results/pytorch.json)
  else
    echo "PyTorch peer skipped: /usr/bin/python3 cannot import torch (apt-get install python3-torch)"
  fi
fi
python3 bench/report.py "${results[@]}"
