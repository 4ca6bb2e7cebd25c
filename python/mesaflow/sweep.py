"""sweep: `mesaflow sweep` from Python, locally or one task per run on a dask.distributed client."""
import json
import os

from . import _mesaflow
from ._data import data_arg
from ._text import grid_text


def _data(spec):
    # (data bytes, data file, test bytes, test file, test_fraction) as the core's arguments.
    d, t = _mesaflow.DataArg(), _mesaflow.DataArg()
    d.bytes, d.file, t.bytes, t.file = spec[:4]
    return d, t, spec[4]


def _run_line(field_pairs, i, spec):
    # A task: run i of the grid (each worker rebuilds the grid, and reads the data, from the same text).
    return _mesaflow.sweep_run(field_pairs, i, *_data(spec))


def sweep(client=None, jobs=0, retries=3, data=None, test_data=None, test_fraction=0.1, **fields):
    """The runs of a grid (any field a value, a list [1e-3, 2e-3] or the CLI's text "1:8:1"), each a
    dict equal to a line of `mesaflow sweep` (same grid, same order; a diverged run as the CLI
    reports it). data, test_data, test_fraction: as train's, every run on them (`mesaflow sweep
    --data`). client: a dask.distributed Client: one task per run, `retries` retries when a worker
    dies (the data sent to every worker once; a file name must name the file on the workers);
    None: here, on `jobs` threads (0: one per core)."""
    field_pairs = [(k, grid_text(k, v)) for k, v in fields.items()]
    d, t = data_arg(data, "data", in_place=False), data_arg(test_data, "test-data", in_place=False)
    spec = (d.bytes, d.file, t.bytes, t.file, float(test_fraction))
    runs, _ = _mesaflow.sweep_plan(field_pairs, *_data(spec))  # every run checked before any starts
    if client is None:
        return [json.loads(line) for line in _mesaflow.sweep_lines(field_pairs, jobs or os.cpu_count() or 1, *_data(spec))]
    shared = client.scatter([spec], broadcast=True)[0] if (d.bytes or t.bytes) else spec
    futures = client.map(_run_line, [field_pairs] * runs, list(range(runs)), [shared] * runs, pure=False, retries=retries)
    return [json.loads(line) for line in client.gather(futures)]
