#!/usr/bin/env bash
# Runs the JMH benchmarks with every library on the same thread count, then prints the table
# of medians and ratios. oneDNN and OpenBLAS read their thread counts only when the JVM
# starts, so they are set here, for the forked benchmark JVMs to inherit.
#   bench/run-benchmarks.sh                  # everything
#   bench/run-benchmarks.sh ConvBenchmark    # JMH's usual filters and options pass through
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${THREADS:-2}
mvn -B -ntp -q install -DskipTests
mkdir -p bench/results
# Two vCPUs of a shared machine can be near or far apart, and batch-1 figures follow: say which.
latency() { java -cp bench/target/benchmarks.jar org.neurite.bench.CoreLatency | sed "s/^/$1 the run, /"; }
latency before > bench/results/core-latency.txt
OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads \
  java -jar bench/target/benchmarks.jar -p threads="$threads" -rf json -rff bench/results/jmh.json "$@"
latency after >> bench/results/core-latency.txt
cat bench/results/core-latency.txt
python3 bench/report.py bench/results/jmh.json
