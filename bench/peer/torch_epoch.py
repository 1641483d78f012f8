#!/usr/bin/python3
"""Seconds per training epoch of the book's Fashion-MNIST model in PyTorch.

The model and protocol are those nnrt's `nnbench train` runs by default
(Géron, chapter 11): Flatten, Dense 300 elu he_normal, Dense 100 elu
he_normal, Dense 10 softmax, plain SGD (Keras default lr 0.01), sparse
categorical cross-entropy, on the first 55,000 training images (pixels / 255),
shuffled every epoch. With --dropout p, a Dropout(p) layer precedes each
Dense layer, as in the book's dropout model.

The loop is PyTorch at its best for this size, not a DataLoader: the whole
training set is one tensor in memory, each epoch draws one permutation and
each batch is an index_select of it, as a careful PyTorch user would write.
Every configuration first runs a short warm-up, then times --epochs whole
epochs; one JSON object per configuration goes to stdout:

  {"framework": "pytorch", "version": ..., "batch": 32, "dropout": 0.0,
   "threads": 1, "epochs_s": [..], "median_s": .., "cpu_s": [..],
   "median_cpu_s": .., "val_accuracy": ..}

epochs_s is wall time; cpu_s the process's CPU time (all threads), which on
one thread leaves out the time other processes held the core.

Run with Debian's interpreter (/usr/bin/python3), which sees python3-torch.
"""

import argparse
import gzip
import json
import math
import os
import statistics
import struct
import sys
import time

import torch


def read_idx(path):
    """Reads an IDX file (optionally gzip-compressed) into a uint8 tensor."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    body = data[4 + 4 * ndim :]
    if len(body) != math.prod(dims):
        raise ValueError(f"{path}: {len(body)} bytes of data for shape {dims}")
    return torch.frombuffer(bytearray(body), dtype=torch.uint8).reshape(dims)


def find_data(flag):
    """The folder of the IDX files, searched as nnrt's loader does."""
    candidates = [flag, os.environ.get("NNRT_DATA"), "/usr/share/datasets/fashion-mnist",
                  os.path.expanduser("~/.keras/datasets/fashion-mnist")]
    for d in candidates:
        if d and os.path.exists(os.path.join(d, "train-images-idx3-ubyte.gz")):
            return d
    sys.exit("torch_epoch.py: no Fashion-MNIST found (set --data or NNRT_DATA)")


def he_normal_(w):
    """Keras he_normal: truncated normal at 2 stddev, stddev sqrt(2/fan_in)/.8796."""
    fan_in = w.shape[1]
    std = math.sqrt(2.0 / fan_in) / 0.87962566103423978
    torch.nn.init.trunc_normal_(w, mean=0.0, std=std, a=-2 * std, b=2 * std)


def glorot_uniform_(w):
    """Keras's default kernel initializer, used by the output layer."""
    fan_out, fan_in = w.shape
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    torch.nn.init.uniform_(w, -limit, limit)


def book_model(dropout):
    layers = [torch.nn.Flatten()]
    sizes = [784, 300, 100, 10]
    for i in range(3):
        if dropout > 0:
            layers.append(torch.nn.Dropout(dropout))
        dense = torch.nn.Linear(sizes[i], sizes[i + 1])
        (he_normal_ if i < 2 else glorot_uniform_)(dense.weight)
        torch.nn.init.zeros_(dense.bias)
        layers.append(dense)
        if i < 2:
            layers.append(torch.nn.ELU())
    # The softmax of the last Dense layer is fused into CrossEntropyLoss,
    # which is what Keras's sparse CE on softmax outputs computes.
    return torch.nn.Sequential(*layers)


def run_epoch(model, opt, loss_fn, x, y, batch, gen):
    model.train()
    perm = torch.randperm(x.shape[0], generator=gen)
    for start in range(0, x.shape[0], batch):
        idx = perm[start : start + batch]
        xb = x.index_select(0, idx)
        yb = y.index_select(0, idx)
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", help="folder of the IDX gz files")
    p.add_argument("--batch", default="32,256", help="batch sizes, comma-separated")
    p.add_argument("--dropout", default="0,0.2", help="dropout rates, comma-separated")
    p.add_argument("--threads", default="1,2", help="thread counts, comma-separated")
    p.add_argument("--epochs", type=int, default=2, help="timed epochs per configuration")
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--train", type=int, default=55000, help="training images (book: 55,000)")
    args = p.parse_args()

    d = find_data(args.data)
    images = read_idx(os.path.join(d, "train-images-idx3-ubyte.gz")).float().div_(255.0)
    labels = read_idx(os.path.join(d, "train-labels-idx1-ubyte.gz")).long()
    n = args.train
    x, y = images[:n].contiguous(), labels[:n].contiguous()
    xv, yv = images[55000:].contiguous(), labels[55000:].contiguous()

    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        for batch in [int(b) for b in args.batch.split(",")]:
            for rate in [float(r) for r in args.dropout.split(",")]:
                torch.manual_seed(args.seed)
                gen = torch.Generator().manual_seed(args.seed)
                model = book_model(rate)
                opt = torch.optim.SGD(model.parameters(), lr=args.lr)
                loss_fn = torch.nn.CrossEntropyLoss()
                # Warm-up: a few hundred steps so that allocator caches and
                # thread pools are in steady state before the clock starts.
                warm = min(x.shape[0], 200 * batch)
                run_epoch(model, opt, loss_fn, x[:warm], y[:warm], batch, gen)
                times, cpu = [], []
                for _ in range(args.epochs):
                    t0, c0 = time.perf_counter(), time.process_time()
                    run_epoch(model, opt, loss_fn, x, y, batch, gen)
                    times.append(time.perf_counter() - t0)
                    cpu.append(time.process_time() - c0)
                print(json.dumps({
                    "framework": "pytorch", "version": torch.__version__,
                    "batch": batch, "dropout": rate, "threads": threads,
                    "train": n, "epochs_s": [round(t, 4) for t in times],
                    "median_s": round(statistics.median(times), 4),
                    "cpu_s": [round(t, 4) for t in cpu],
                    "median_cpu_s": round(statistics.median(cpu), 4),
                    "val_accuracy": round(accuracy(model, xv, yv), 4),
                }), flush=True)


if __name__ == "__main__":
    main()
