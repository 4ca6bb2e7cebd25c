"""Session: step-wise training on the core's Session (the GIL is released while it computes)."""
import json

from . import _mesaflow
from ._run import Run, blocks, history_arrays
from ._text import pairs, value_text


class Session:
    """Session(**fields): step(n) runs up to n epochs; history, weights, epoch, done; set(lr=...)
    changes the live fields (lr, epochs, eval_every, clip, method, threads) from this epoch on."""

    def __init__(self, **fields):
        self._s = _mesaflow.Session(pairs(fields))

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
