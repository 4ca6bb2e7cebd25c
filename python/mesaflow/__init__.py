"""mesaflow from Python: the C++ core of the CLI (the same field table, sessions, JSON documents
and sweep grids) with NumPy arrays in and out. See python/README.md."""
import io
import json
import os

import numpy as np

from . import _mesaflow
from ._data import data_arg
from ._run import Run, blocks, history_arrays
from ._text import pairs
from .errors import InputError
from .sweep import sweep

__version__ = _mesaflow.version
__all__ = ["train", "theory", "fields", "generate", "sweep", "Session", "Run", "InputError", "__version__"]


def train(data=None, test_data=None, mesa_seqs=1000, test_fraction=0.1, record_params=False, **fields):
    """Trains a run of these fields (the field table's JSON keys: d=5, lr=0.01, x1="gaussian", ...)
    as `mesaflow train --out` does and returns its Run. data, test_data: arrays (m, d, T) or .npy
    files, as --data and --test-data; mesa_seqs, test_fraction, record_params as the CLI's options."""
    d, t = data_arg(data, "data"), data_arg(test_data, "test-data")
    return Run(_mesaflow.train_json(pairs(fields), int(mesa_seqs), float(test_fraction), bool(record_params), d, t))


def theory(**fields):
    """The theory object of these fields (`mesaflow theory`; the ODE part with a0, b0, lr, epochs)."""
    return json.loads(_mesaflow.theory_json(pairs(fields)))


def fields():
    """The field table: one dict per field (name, key, kind, label, group, help, min, max, choices, default)."""
    return json.loads(_mesaflow.fields_json())


def generate(**fields):
    """The training set a run of these fields draws: complex128 (complex64 in single) of shape (m, d, T)."""
    return np.load(io.BytesIO(_mesaflow.generate_npy(pairs(fields))), allow_pickle=False)


from .session import Session  # noqa: E402
