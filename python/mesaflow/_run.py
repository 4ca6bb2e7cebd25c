"""Run: the CLI's --out document of a training run, with its columns as NumPy arrays."""
import json

import numpy as np


def column(values):
    """A JSON column as float64 (null, the JSON's not-a-number, as NaN)."""
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def blocks(obj):
    """{"wkq_re": rows, "wkq_im": rows, ...} as {"wkq": complex128 (d, d) array, ...}; the
    attention models' "layers" (one object per layer, layer 1 first) as a list of such dicts."""
    out = {}
    for key in obj:
        if key.endswith("_re"):
            name = key[:-3]
            out[name] = np.array(obj[key], dtype=np.float64) + 1j * np.array(obj[name + "_im"], dtype=np.float64)
    if isinstance(obj.get("layers"), list):
        out["layers"] = [blocks(layer) for layer in obj["layers"]]
    return out


def history_arrays(h):
    out = {}
    for key, values in h.items():
        if key == "params":
            out[key] = [blocks(p) for p in values]
        elif key == "changes":
            out[key] = values
        elif key == "ab_layers":  # a row per evaluation, one ab per layer: (rows, L); None where null
            out[key] = None if values is None else np.array(values, dtype=np.float64).reshape(len(values), -1)
        else:
            out[key] = column(values)
    return out


class Run:
    """A finished run: history (columns as arrays), final (the model's blocks as complex arrays:
    wkq, wpv for the attention model), theory (a dict, None where the JSON has null), config, and
    to_json(), the CLI's document (`mesaflow train --out`)."""

    def __init__(self, text):
        self._text = text
        self.document = json.loads(text)
        self.config = self.document["config"]
        self.history = history_arrays(self.document["history"])
        self.final = blocks(self.document["final"])
        self.theory = self.document["theory"]
        self.diverged = self.document["diverged"]
        self.message = self.document["message"]

    def to_json(self):
        """The document as the CLI writes it (without the CLI's final newline)."""
        return self._text

    def save_authors_layout(self, folder):
        from ._authors import save_authors_layout

        return save_authors_layout(self, folder)
