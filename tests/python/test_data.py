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


def test_session_and_sweep_take_data(tmp_path, cli_doc):
    x, y = ar_process(48, 2, 10, 5), ar_process(16, 2, 10, 6)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", y)
    f = dict(epochs=6, lr=0.01)
    doc = cli_doc("--data", str(tmp_path / "x.npy"), "--test-data", str(tmp_path / "y.npy"), "--mesa-seqs", "4", *options(f))
    doc.pop("test_set")  # the Session's document does not say where its sets came from
    s = mesaflow.Session(data=x, test_data=y, **f)
    while not s.done:
        s.step(4)
    assert without_wall(json.loads(s.run_document(mesa_seqs=4).to_json())) == without_wall(doc)
    # A sweep on the data, held out as the CLI's sweep holds it out.
    r = cli("sweep", "--quiet", "--data", str(tmp_path / "x.npy"), "--epochs", "6", "--lr", "0.01,0.02")
    want = [json.loads(line) for line in r.stdout.splitlines()]
    got = mesaflow.sweep(data=x, epochs=6, lr=[0.01, 0.02], jobs=2)
    for line in want + got:
        line.pop("wall_seconds")
    assert len(got) == 2 and got == want


def test_a_non_contiguous_array_means_its_values(tmp_path, cli_doc):
    # Every second time step of a longer array (a strided view), and a Fortran-ordered copy: each
    # trains as its values saved in C order train with --data.
    x = ar_process(40, 2, 20, 7)[:, :, ::2]
    assert not x.flags.c_contiguous
    np.save(tmp_path / "x.npy", np.ascontiguousarray(x))
    f = dict(epochs=4, lr=0.01)
    doc = without_wall(cli_doc("--data", str(tmp_path / "x.npy"), "--mesa-seqs", "4", *options(f)))
    for arr in (x, np.asfortranarray(x)):
        assert without_wall(json.loads(mesaflow.train(data=arr, mesa_seqs=4, **f).to_json())) == doc


def test_an_array_read_in_place_means_its_values_and_is_not_kept(tmp_path, cli_doc):
    # A view with negative strides (time reversed) is read in place, as its C-order copy with
    # --data; the session holds its own set: writing into the array afterwards changes nothing.
    x = ar_process(30, 2, 12, 9)[:, :, ::-1]
    assert x.strides[2] < 0
    np.save(tmp_path / "x.npy", np.ascontiguousarray(x))
    f = dict(epochs=4, lr=0.01)
    doc = without_wall(cli_doc("--data", str(tmp_path / "x.npy"), "--mesa-seqs", "4", *options(f)))
    assert without_wall(json.loads(mesaflow.train(data=x, mesa_seqs=4, **f).to_json())) == doc
    y = np.ascontiguousarray(x)
    s = mesaflow.Session(data=y, **f)
    y[:] = np.nan
    s.step(4)
    assert list(s.history["train_loss"]) == doc["history"]["train_loss"]


@pytest.mark.parametrize("key", ["data", "test_data"])
def test_bad_arrays_raise_naming_the_field(key):
    good = ar_process(20, 2, 8, 1)
    field = key.replace("_", "-")
    bad_nan = good.copy()
    bad_nan[3, 1, 4] = np.nan
    cases = [(good[:, :, 0], r"shape \(20, 2\); expected 3 dimensions \(m, d, T\)"),
             (good.real, "dtype float32; expected complex64 or complex128"),
             (bad_nan, "non-finite value at sequence 3, coordinate")]
    for arr, message in cases:
        kwargs = {"data": good, "test_data": good} | {key: arr}
        with pytest.raises(ValueError, match=message) as e:
            mesaflow.train(epochs=1, **kwargs)
        assert e.value.field == field and str(e.value).startswith(f"--{field}: ")
        with pytest.raises(ValueError, match=message):
            mesaflow.Session(**kwargs)
