# train(data=X) on an array of the authors' generate_ar_process layout (m, d, T) equals --data on
# the same file; generate() is --save-data's set; the authors'-layout files have their shapes.
import json

import numpy as np
import pytest

import mesaflow
from conftest import cli, options, without_wall


def ar_process(m, d, T, seed):
    # As the authors' generate_ar_process: W = diag(e^{i theta}), x_{t+1} = W x_t, x_1 gaussian.
    rng = np.random.default_rng(seed)
    lam = np.exp(2j * np.pi * rng.random((m, d)))
    x = np.empty((m, d, T), dtype=np.complex64)
    x[:, :, 0] = rng.standard_normal((m, d))
    for t in range(1, T):
        x[:, :, t] = lam * x[:, :, t - 1]
    return x


@pytest.mark.parametrize("precision", ["double", "single"])
def test_array_equals_data_file(tmp_path, precision, cli_doc):
    x, y = ar_process(60, 3, 12, 1), ar_process(20, 3, 12, 2)
    np.save(tmp_path / "x.npy", x)
    f = dict(epochs=8, lr=0.01, precision=precision)
    doc = cli_doc("--data", str(tmp_path / "x.npy"), "--mesa-seqs", "10", *options(f))
    assert without_wall(json.loads(mesaflow.train(data=x, mesa_seqs=10, **f).to_json())) == without_wall(doc)
    np.save(tmp_path / "y.npy", y)
    doc = cli_doc("--data", str(tmp_path / "x.npy"), "--test-data", str(tmp_path / "y.npy"), "--mesa-seqs", "10", *options(f))
    run = json.loads(mesaflow.train(data=x, test_data=y, mesa_seqs=10, **f).to_json())
    assert run.pop("test_set") == {"source": "array", "sequences": 20}
    doc.pop("test_set")
    assert without_wall(run) == without_wall(doc)


def test_generate_is_save_data(tmp_path):
    f = dict(d=2, T=9, m=30, test_m=10, epochs=1, x1="sparse", seed=4)
    cli("train", "--quiet", "--save-data", str(tmp_path / "s.npy"), *options(f))
    saved = np.load(tmp_path / "s.npy")
    got = mesaflow.generate(**f)
    assert got.dtype == saved.dtype == np.complex128 and got.shape == (30, 2, 9)
    assert np.array_equal(got, saved)


def test_authors_layout(tmp_path):
    run = mesaflow.train(d=3, T=10, m=40, test_m=20, epochs=4, x1="full-one", mesa_seqs=0)
    run.save_authors_layout(tmp_path)
    ab, gap = np.load(tmp_path / "ab.npy"), np.load(tmp_path / "gap.npy")
    wkq, wpv = np.load(tmp_path / "WKQ.npy"), np.load(tmp_path / "WPV.npy")
    # The authors' main_train_ar.py: ab and gap at epoch 0 and the last, float64; the real parts
    # of W_KQ (2d, 2d) and W_PV (d, 2d), float32.
    assert ab.shape == gap.shape == (2,) and ab.dtype == gap.dtype == np.float64
    assert wkq.shape == (6, 6) and wpv.shape == (3, 6) and wkq.dtype == wpv.dtype == np.float32
    # ab from the saved blocks as their code computes it: mean diag(WKQ[d:, :d] * WPV[:, :d]).
    assert ab[1] == pytest.approx(np.mean(np.diag(wkq[3:, :3] * wpv[:, :3])), rel=1e-6)
    assert ab[0] == run.history["ab"][0] and gap[1] == run.history["ratio"][-1]
