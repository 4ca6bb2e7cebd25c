"""Data given to train, Session and sweep (data=, test_data=): an array (m, d, T) of complex64 or
complex128, or the name of a .npy file, handed to the CLI's own .npy reader (the core's
parse_npy: C order, finite values, at least one sequence), so an array means what the same
array saved with numpy.save means to --data. An array is written into .npy bytes first: a
copy (python/README.md says why)."""
import io
import os

import numpy as np

from . import _mesaflow
from .errors import InputError


def data_arg(value, key):
    """The core's DataArg for value (None: no data); bad arrays raise InputError naming key."""
    a = _mesaflow.DataArg()
    if value is None:
        return a
    if isinstance(value, (str, os.PathLike)):
        a.file = os.fspath(value)
        return a
    value = np.asarray(value)
    if value.dtype not in (np.complex64, np.complex128):
        raise InputError(f"--{key}: an array of dtype {value.dtype}; expected complex64 or complex128 of shape (m, d, T)", key)
    if value.ndim != 3:
        raise InputError(f"--{key}: an array of shape {value.shape}; expected 3 dimensions (m, d, T)", key)
    buf = io.BytesIO()
    # np.save writes a non-contiguous or Fortran-ordered array in C order (the reader's layout).
    np.save(buf, np.ascontiguousarray(value), allow_pickle=False)
    a.bytes = buf.getvalue()
    return a
