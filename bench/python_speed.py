#!/usr/bin/python3
"""mesaflow.train against `mesaflow train` on the same configuration, at the paper's setting (the
defaults: d = 5, T = 100, m = 10,000, gaussian x_1, 10,000 test sequences, every epoch evaluated,
the mesa view on 1,000 test sequences), for each thread count, in one sitting: every round runs
both, CLI first in odd rounds and Python first in even ones (the machine's speed drifts; the
alternation is fair to both), and checks that the two documents are equal (only the clocks differ).

Three times per run, each compared as Python / CLI within its round:
- core: the run document's wall_seconds, the same C++ clock around the same code in both (data,
  the epochs with their evaluations; not the mesa view nor the JSON): over the epochs, the time
  per epoch;
- wall: the caller's, the CLI process from exec to exit (writing its --out), the Python call from
  entry to the returned Run (the JSON parsed into NumPy arrays): all the work either does;
- cpu: the same span in CPU seconds (the child's rusage; the Python process's own), which a loaded
  machine stretches less than the wall clock.
Prints every round, then per thread count the median ratio and its spread (lowest, highest), as a
Markdown table with the CPU name and vector flags, the load and the command.
  make native python && bench/python_speed.py [--rounds 5] [--epochs 30] [--threads 1 2] [--precision double]
"""
import argparse
import json
import os
import resource
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


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_cli(args, out):
    c0, t0 = children_cpu(), time.perf_counter()
    subprocess.run([CLI, "train", "--quiet", "--out", out, *args], check=True, stdout=subprocess.DEVNULL)
    wall, cpu_s = time.perf_counter() - t0, children_cpu() - c0
    doc = json.load(open(out))
    return doc.pop("wall_seconds"), wall, cpu_s, doc


def run_python(fields):
    c0, t0 = time.process_time(), time.perf_counter()
    run = mesaflow.train(**fields)
    wall, cpu_s = time.perf_counter() - t0, time.process_time() - c0
    doc = dict(run.document)
    return doc.pop("wall_seconds"), wall, cpu_s, doc


def spread(xs):
    return f"{statistics.median(xs):.4f} ({min(xs):.4f} to {max(xs):.4f})"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--precision", default="double")
    a = ap.parse_args()
    command = "bench/python_speed.py " + " ".join(sys.argv[1:])
    name, flags, vm = cpu()
    load0 = os.getloadavg()
    print(f"CPU: {name}{' (a virtual machine)' if vm else ''}; vector flags: {' '.join(flags)}; "
          f"{os.cpu_count()} logical cores; {mesaflow.__version__}")
    print(f"config: the defaults (d = 5, T = 100, m = 10000, test-m 10000, eval-every 1, mesa view on 1000 test "
          f"sequences) with --epochs {a.epochs} --precision {a.precision}; threads {', '.join(map(str, a.threads))}")
    ratios = {t: {"core": [], "wall": [], "cpu": []} for t in a.threads}
    per_epoch = {t: {"CLI": [], "Python": []} for t in a.threads}
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "run.json")
        for r in range(1, a.rounds + 1):
            for t in a.threads:
                fields = dict(epochs=a.epochs, threads=t, precision=a.precision)
                args = ["--epochs", str(a.epochs), "--threads", str(t), "--precision", a.precision]
                if r % 2:
                    c = run_cli(args, out)
                    p = run_python(fields)
                else:
                    p = run_python(fields)
                    c = run_cli(args, out)
                assert c[3] == p[3], "the Python run is not the CLI's (same run, same numbers: only the clocks differ)"
                for i, key in enumerate(("core", "wall", "cpu")):
                    ratios[t][key].append(p[i] / c[i])
                per_epoch[t]["CLI"].append(c[0] / a.epochs)
                per_epoch[t]["Python"].append(p[0] / a.epochs)
                print(f"round {r} threads {t} ({'CLI first' if r % 2 else 'Python first'}): "
                      f"core CLI {c[0]:.3f} s Python {p[0]:.3f} s ({ratios[t]['core'][-1]:.4f}); "
                      f"wall CLI {c[1]:.3f} s Python {p[1]:.3f} s ({ratios[t]['wall'][-1]:.4f}); "
                      f"cpu CLI {c[2]:.3f} s Python {p[2]:.3f} s ({ratios[t]['cpu'][-1]:.4f}); load {os.getloadavg()[0]:.2f}",
                      flush=True)
    load1 = os.getloadavg()
    print()
    print(f"`{command}`: {name}{' (a virtual machine)' if vm else ''}, {os.cpu_count()} logical cores, vector flags "
          f"{' '.join(flags)}; load average (1 min) {load0[0]:.2f} at the start, {load1[0]:.2f} at the end; "
          f"{a.rounds} rounds, {a.epochs} epochs, {a.precision}.")
    print()
    print("| threads | core s per epoch, CLI | core s per epoch, Python | Python / CLI, core (per epoch) | "
          "Python / CLI, caller's wall | Python / CLI, caller's CPU |")
    print("|---|---|---|---|---|---|")
    for t in a.threads:
        print(f"| {t} | {statistics.median(per_epoch[t]['CLI']):.4f} | {statistics.median(per_epoch[t]['Python']):.4f} | "
              f"{spread(ratios[t]['core'])} | {spread(ratios[t]['wall'])} | {spread(ratios[t]['cpu'])} |")
    print()
    print("Ratios: the median over the rounds (lowest to highest); each round's ratio is of two runs made one after the other.")


if __name__ == "__main__":
    main()
