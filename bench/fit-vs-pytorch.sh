#!/usr/bin/env bash
# Training throughput of `neurite train` and of PyTorch (Debian's python3-torch) on the same
# models and data: the seed CNN on MNIST and the seed RNN's LSTM on SpamAssassin, Adam,
# batch 32, THREADS threads (default 2), EPOCHS epochs (default 1). Needs a build
# (mvn -B -ntp -q install -DskipTests) and the data (fetched by the first neurite train).
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${THREADS:-2}
epochs=${EPOCHS:-1}
data=${NEURITE_DATA:-$HOME/.cache/neurite/data}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "CPU: $(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2 | xargs), family $(grep -m1 "cpu family" /proc/cpuinfo | cut -d: -f2 | xargs) model $(grep -m1 "^model\s" /proc/cpuinfo | cut -d: -f2 | xargs); $threads threads, batch 32, $epochs epoch(s)"
for pair in cnn:mnist lstm:spam; do
  model=${pair%%:*}
  NEURITE_JAVA_OPTS="-Dneurite.data=$data" cli/neurite train --model "$model" --data "${pair##*:}" --epochs "$epochs" \
    --threads "$threads" --out "$out/$model.safetensors" | grep -E "samples/s|test accuracy"
  /usr/bin/python3 bench/pytorch_fit.py --model "$model" --threads "$threads" --epochs "$epochs" --data "$data"
done
