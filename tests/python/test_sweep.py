# mesaflow.sweep equals `mesaflow sweep`'s lines (apart from wall_seconds), locally and on a
# 4-worker dask LocalCluster with one worker process killed mid-sweep.
import json
import os
import signal
import threading
import time

import pytest

import mesaflow
from conftest import cli

GRID = dict(d=2, T=10, m=64, test_m=32, epochs=300, lr=[0.001, 0.002], seed="1:4:1")
ARGS = ["--d", "2", "--T", "10", "--m", "64", "--test-m", "32", "--epochs", "300", "--lr", "0.001,0.002", "--seed", "1:4:1"]


def lines_without_wall(lines):
    out = []
    for line in lines:
        line = dict(line)
        line.pop("wall_seconds")
        out.append(line)
    return out


@pytest.fixture(scope="module")
def cli_lines():
    r = cli("sweep", "--quiet", *ARGS)
    return lines_without_wall(json.loads(l) for l in r.stdout.splitlines())


def test_local_sweep_equals_cli(cli_lines):
    assert len(cli_lines) == 8
    assert lines_without_wall(mesaflow.sweep(**GRID)) == cli_lines


def test_dask_sweep_with_a_killed_worker(cli_lines):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=4, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        pids = list(client.run(os.getpid).values())
        killed = []

        def kill_one():  # once a task runs, kill the worker process running it
            deadline = time.time() + 60
            while time.time() < deadline and not killed:
                busy = [w for w, tasks in client.processing().items() if tasks]
                if busy:
                    pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                time.sleep(0.01)

        t = threading.Thread(target=kill_one)
        t.start()
        got = mesaflow.sweep(client=client, **GRID)
        t.join()
        assert killed and killed[0] in pids
        assert lines_without_wall(got) == cli_lines
