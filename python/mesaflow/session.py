"""Session: step-wise training on the core's Session (the GIL is released while it computes)."""
import json
import os

from . import _mesaflow
from ._data import data_arg
from ._run import Run, blocks, history_arrays
from ._text import pairs, value_text


class Session:
    """Session(data=None, test_data=None, test_fraction=0.1, **fields): step(n) runs up to n
    epochs; history, weights, epoch, done; set(lr=...) changes the live fields (lr, epochs,
    eval_every, clip, method, threads) from this epoch on; checkpoint() and from_checkpoint()
    stop and go on, bit for bit. data, test_data as train's."""

    def __init__(self, data=None, test_data=None, test_fraction=0.1, **fields):
        self._s = _mesaflow.Session(pairs(fields), data_arg(data, "data"), data_arg(test_data, "test-data"),
                                    float(test_fraction))

    def checkpoint(self, path=None):
        """The state after the epochs run so far, as the JSON text `mesaflow train --checkpoint`
        writes (configuration, weights, history); with path, also written to that file. Raises
        InputError after a divergence."""
        text = self._s.checkpoint()
        if path is not None:
            with open(path, "w") as f:
                f.write(text + "\n")
        return text

    @classmethod
    def from_checkpoint(cls, checkpoint, data=None, test_data=None, test_fraction=0.1, **fields):
        """A session that goes on from a checkpoint (checkpoint()'s text, or a file of it: also
        one `mesaflow train --checkpoint` wrote), exactly as the uninterrupted run. fields: more
        epochs, threads, and lr, eval_every, clip, method (changes from the checkpoint's epoch on);
        the other fields are the saved ones (given, they must be equal). A run on given data needs
        the same data, test_data and test_fraction again."""
        if isinstance(checkpoint, (str, os.PathLike)) and not str(checkpoint).lstrip().startswith("{"):
            with open(checkpoint) as f:
                checkpoint = f.read()
        self = cls.__new__(cls)
        self._s = _mesaflow.Session.resume(checkpoint, pairs(fields), data_arg(data, "data"),
                                           data_arg(test_data, "test-data"), float(test_fraction))
        return self

    def step(self, n=1):
        """Runs up to n epochs (fewer at the end or on divergence); returns how many ran."""
        return self._s.run(int(n))

    @property
    def epoch(self):
        return self._s.epoch

    @property
    def done(self):
        return self._s.done

    @property
    def diverged(self):
        return self._s.diverged

    @property
    def message(self):
        return self._s.message

    @property
    def history(self):
        return history_arrays(json.loads(self._s.history_json()))

    @property
    def weights(self):
        return blocks(json.loads(self._s.weights_json()))

    @property
    def config(self):
        return json.loads(self._s.config_json())

    def set(self, **fields):
        for k, v in fields.items():
            self._s.change(k, value_text(k, v))

    def run_document(self, mesa_seqs=1000):
        """The run so far as a Run (wall_seconds 0)."""
        return Run(self._s.run_json(int(mesa_seqs)))
