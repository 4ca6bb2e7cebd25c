"""Data given to train, Session and sweep (data=, test_data=): an array (m, d, T) of complex64 or
complex128, or the name of a .npy file. The core reads an array in place, any strides, with the
checks and the decoding of its .npy reader (npy.hpp's array_to_dataset, parse_npy's words), so an
array means what the same array saved with numpy.save means to --data. A sweep's array is written
into .npy bytes instead, which its workers receive (python/README.md, "Copies")."""
import io
import os

import numpy as np

from . import _mesaflow
from .errors import InputError


def data_arg(value, key, in_place=True):
    """The core's DataArg for value (None: no data); bad arrays raise InputError naming key.
    in_place: the array itself (kept alive by the DataArg), else its .npy bytes."""
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
    if in_place:  # (a byte-swapped dtype is neither of the two: refused above)
        a.set_array(value)
        return a
    buf = io.BytesIO()
    # np.save writes a non-contiguous or Fortran-ordered array in C order (the reader's layout).
    np.save(buf, np.ascontiguousarray(value), allow_pickle=False)
    a.bytes = buf.getvalue()
    return a
