"""sweep: `mesaflow sweep` from Python, locally or one task per run on a dask.distributed client."""
import json

from . import _mesaflow
from ._text import grid_text


def _run_line(field_pairs, i):
    # A task: run i of the grid (each worker rebuilds the grid from the same text).
    return _mesaflow.sweep_run(field_pairs, i)


def sweep(client=None, jobs=0, retries=3, **fields):
    """The runs of a grid (any field a value, a list [1e-3, 2e-3] or the CLI's text "1:8:1"), each a
    dict equal to a line of `mesaflow sweep` (same grid, same order; a diverged run as the CLI
    reports it). client: a dask.distributed Client: one task per run, `retries` retries when a
    worker dies; None: here, on `jobs` threads (0: one per core)."""
    field_pairs = [(k, grid_text(k, v)) for k, v in fields.items()]
    runs, _ = _mesaflow.sweep_plan(field_pairs)  # every run checked before any starts
    if client is None:
        import os

        return [json.loads(line) for line in _mesaflow.sweep_lines(field_pairs, jobs or os.cpu_count() or 1)]
    futures = client.map(_run_line, [field_pairs] * runs, list(range(runs)), pure=False, retries=retries)
    return [json.loads(line) for line in client.gather(futures)]
