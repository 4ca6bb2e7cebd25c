"""A run in the file layout of the authors' code (github.com/ML-GSAI/MesaOpt-AR-Transformer,
main_train_ar.py), so the two can be diffed directly. Their code evaluates at epoch 0 and after
the last epoch only, and saves:
  ab.npy   float64 (2,): the mean of diag(W_KQ[d:, :d] * W_PV[:, :d]) (real parts) at those two;
  gap.npy  float64 (2,): the last-position ratio there (x1 full-one or gaussian), the test loss
           for sparse first tokens (their isotropic = 2);
  WKQ.npy  float32 (2d, 2d), WPV.npy float32 (d, 2d): the real parts of the final weights (their
           model is complex64; they write these for full-one first tokens only, we always do).
Their test loss is 0.5 sum |error|^2 / m; ours is the one of core/THEORY.md."""
import os

import numpy as np


def save_authors_layout(run, folder):
    os.makedirs(folder, exist_ok=True)
    h = run.history
    ends = [0, -1]
    gap = h["test_loss"] if run.config["x1"] == "sparse" else h["ratio"]
    np.save(os.path.join(folder, "ab.npy"), np.array([h["ab"][i] for i in ends], dtype=np.float64))
    np.save(os.path.join(folder, "gap.npy"), np.array([gap[i] for i in ends], dtype=np.float64))
    np.save(os.path.join(folder, "WKQ.npy"), run.final["wkq"].real.astype(np.float32))
    np.save(os.path.join(folder, "WPV.npy"), run.final["wpv"].real.astype(np.float32))
    return folder
