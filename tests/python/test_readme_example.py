# README.md's Python example, run as a script exactly as it is printed there: it trains, saves the
# plot of ab against c*(T), and sweeps 2 x 4 runs on a 4-worker LocalCluster.
import os
import re
import subprocess
import sys

import mesaflow
from conftest import ROOT


def readme_example():
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    section = text[text.index("## From Python"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_readme_example_runs_as_a_script(tmp_path):
    script = tmp_path / "example.py"
    script.write_text(readme_example())
    env = dict(os.environ, MPLBACKEND="Agg")
    r = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stderr[-2000:]
    assert (tmp_path / "ab.png").stat().st_size > 1000
    # The last line: the 8 sweep runs' ab (lr 1e-3, 2e-3 x seeds 1..4), each a number near c*(T)'s scale.
    values = [float(v) for v in re.findall(r"-?\d+\.\d+", r.stdout.strip().splitlines()[-1])]
    assert len(values) == 8 and all(0 < v < 1 for v in values), r.stdout


def test_the_readme_run_learns_the_optimum():
    # The run the example plots (its own arguments, without the mesa view) does not diverge, and ab
    # ends near the training set's optimum of the diagonal family, which is what the plot shows
    # against c*(T) (m = 1000: the set's optimum is c*(T) up to the sampling of its first tokens).
    args = re.search(r"mesaflow\.train\((.*?)\)", readme_example()).group(1)
    run = eval(f"mesaflow.train({args}, mesa_seqs=0)", {"mesaflow": mesaflow})
    assert not run.diverged, run.message
    ab, best = run.history["ab"][-1], run.theory["c_star_empirical"]
    assert abs(ab - best) < 0.05 * best, (ab, best, run.theory["c_star_T"])
