#!/usr/bin/python3
"""PyTorch's training step for the seed models, the peer of SeedTrainingBenchmark: batch 32,
the forward pass then the backward pass from a fixed output gradient (every parameter's
gradient written; no optimizer step), on the given thread count. Writes JMH-shaped records
(median of timed steps, in microseconds) that report.py reads beside JMH's.

  /usr/bin/python3 bench/pytorch_training.py --threads 2 --out bench/results/pytorch.json
"""
import argparse
import json
import statistics
import time

import torch

BATCH = 32


def seed_cnn():
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(64, 64, 3), torch.nn.ReLU(), torch.nn.Flatten(),
        torch.nn.Linear(576, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10), torch.nn.Softmax(dim=1))


class SeedRnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = torch.nn.Embedding(10000, 64)
        self.lstm = torch.nn.LSTM(64, 64, batch_first=True)
        self.head = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10),
                                        torch.nn.Softmax(dim=1))

    def forward(self, ids):
        _, (h, _) = self.lstm(self.embedding(ids))  # the last state, as Keras' LSTM(64)
        return self.head(h[0])


def median_step_us(model, x, seconds):
    r = torch.randn(BATCH, 10)

    def step():
        for p in model.parameters():
            p.grad = None
        model(x).backward(r)

    for _ in range(20):
        step()
    times = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1e6)
    return statistics.median(times), len(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    inputs = {"cnn": (seed_cnn(), torch.rand(BATCH, 1, 28, 28)),
              "rnn": (SeedRnn(), torch.randint(1, 10000, (BATCH, 100)))}
    records = []
    for name, (model, x) in inputs.items():
        median, steps = median_step_us(model, x, args.seconds)
        print(f"pytorch {torch.__version__} {name}: {median:.1f} us per training step (median of {steps})")
        records.append({"benchmark": "org.neurite.bench.SeedTrainingBenchmark.run",
                        "params": {"impl": "pytorch", "model": name, "threads": str(args.threads)},
                        "primaryMetric": {"scorePercentiles": {"50.0": median}, "scoreUnit": "us/op"}})
    with open(args.out, "w") as f:
        json.dump(records, f, indent=1)


if __name__ == "__main__":
    main()
