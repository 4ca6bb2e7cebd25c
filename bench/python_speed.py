#!/usr/bin/python3
"""mesaflow.train against `mesaflow train` on the same configuration and threads, alternated
CLI, Python, CLI, Python, ... in one sitting (the machine's speed drifts; alternation is fair to
both), at the paper's setting (the defaults: d = 5, T = 100, m = 10,000, gaussian x_1). Prints per
round the two times and their ratio, then the medians, with the CPU name and vector flags.
Two times per run: the core's wall_seconds of the run document (data, training, evaluation, mesa
view: the same C++ clock in both) and the caller's (the CLI process from exec to exit, writing
its --out; the Python call from entry to the returned Run, JSON parsed into arrays).
  make native python && bench/python_speed.py [--rounds 5] [--epochs 20] [--threads 1] [--precision double]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "build", "python"))
import mesaflow  # noqa: E402

CLI = os.path.join(ROOT, "build", "native", "core", "cli", "mesaflow")
VECTOR_FLAGS = ["sse2", "ssse3", "sse4_1", "sse4_2", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512bw", "avx512vl",
                "avx512_bf16", "avx512_fp16", "asimd", "sve"]  # as bench/report.mjs


def cpu():
    info = open("/proc/cpuinfo").read()
    field = lambda name: next((l.split(":", 1)[1].strip() for l in info.splitlines() if l.startswith(name)), "unknown")
    flags = set(field("flags").split()) | set(field("Features").split())
    return field("model name"), [f for f in VECTOR_FLAGS if f in flags], "hypervisor" in flags


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--precision", default="double")
    a = ap.parse_args()
    fields = dict(epochs=a.epochs, threads=a.threads, precision=a.precision)
    args = ["--epochs", str(a.epochs), "--threads", str(a.threads), "--precision", a.precision]
    name, flags, vm = cpu()
    print(f"CPU: {name}{' (a virtual machine)' if vm else ''}; vector flags: {' '.join(flags)}; "
          f"{os.cpu_count()} logical cores; load average {os.getloadavg()[0]:.2f}")
    print(f"config: the defaults (d = 5, T = 100, m = 10000) with {' '.join(args)}; mesa view on 1000 test sequences (both defaults)")
    core, caller = [], []
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "run.json")
        for r in range(1, a.rounds + 1):
            t0 = time.perf_counter()
            subprocess.run([CLI, "train", "--quiet", "--out", out, *args], check=True, stdout=subprocess.DEVNULL)
            cli_caller = time.perf_counter() - t0
            cli_doc = json.load(open(out))
            cli_core = cli_doc.pop("wall_seconds")
            t0 = time.perf_counter()
            run = mesaflow.train(**fields)
            py_caller = time.perf_counter() - t0
            py_core = run.document.pop("wall_seconds")
            assert cli_doc == run.document, "the Python run is not the CLI's (same run, same numbers: only the clocks differ)"
            core.append(py_core / cli_core)
            caller.append(py_caller / cli_caller)
            print(f"round {r}  core: CLI {cli_core:.3f} s  Python {py_core:.3f} s  Python/CLI {core[-1]:.4f}   "
                  f"caller: CLI {cli_caller:.3f} s  Python {py_caller:.3f} s  Python/CLI {caller[-1]:.4f}")
    print(f"median Python/CLI over {a.rounds} rounds: core {statistics.median(core):.4f}, caller {statistics.median(caller):.4f}; "
          f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
