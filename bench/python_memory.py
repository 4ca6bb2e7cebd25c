#!/usr/bin/python3
"""What mesaflow.train(data=X) adds to the peak resident size beside the array X: the one copy
into the core's own layout (python/README.md, "Copies"). X is filled in place, in blocks, so the
peak before the call is the array's and the interpreter's.
  make python && bench/python_memory.py [--m 20000] [--d 5] [--T 100]"""
import argparse
import os
import resource
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "build", "python"))
import mesaflow  # noqa: E402


def peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--m", type=int, default=20000)
    ap.add_argument("--d", type=int, default=5)
    ap.add_argument("--T", type=int, default=100)
    a = ap.parse_args()
    rng = np.random.default_rng(1)
    x = np.empty((a.m, a.d, a.T), np.complex128)
    for s in range(0, a.m, 1000):
        n = min(1000, a.m - s)
        x[s:s + n] = rng.standard_normal((n, a.d, a.T)) + 1j * rng.standard_normal((n, a.d, a.T))
    y = x[: a.m // 10].copy()
    before = peak_mib()
    mesaflow.train(data=x, test_data=y, epochs=0, mesa_seqs=4, threads=1)
    after = peak_mib()
    print(f"data (m, d, T) = ({a.m}, {a.d}, {a.T}) complex128: {x.nbytes / 2**20:.0f} MiB, test data {y.nbytes / 2**20:.0f} MiB; "
          f"peak resident size {before:.0f} MiB before the call, {after:.0f} MiB after: the call added {after - before:.0f} MiB")


if __name__ == "__main__":
    main()
