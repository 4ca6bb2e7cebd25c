# Session.checkpoint() / Session.from_checkpoint(): a session stopped at epoch k and restored goes
# on bit for bit as the uninterrupted run (GD and the flow, both precisions); the checkpoint is the
# CLI's (train --checkpoint / --from-checkpoint), so either resumes the other's.
import json

import numpy as np
import pytest

import mesaflow
from conftest import cli, options, without_wall

BASE = dict(d=3, T=10, m=64, test_m=32, epochs=12, eval_every=3, lr=0.02, seed=5)


def finish(s):
    while not s.done:
        s.step(5)
    return s


def document(s):
    return without_wall(json.loads(s.run_document(mesa_seqs=8).to_json()))


@pytest.mark.parametrize("precision", ["double", "single"])
@pytest.mark.parametrize("method", ["gd", "flow"])
@pytest.mark.parametrize("k", [1, 7])  # between evaluations and not
def test_restored_session_continues_bit_for_bit(precision, method, k):
    f = dict(BASE, precision=precision, method=method)
    whole = finish(mesaflow.Session(**f))
    part = mesaflow.Session(**f)
    part.step(k)
    text = part.checkpoint()
    part.step(2)  # the checkpoint is a copy: what the first session does next does not change it
    resumed = mesaflow.Session.from_checkpoint(text)
    assert resumed.epoch == k
    finish(resumed)
    assert document(resumed) == document(whole)  # history, final weights, theory, gradient evaluations
    for key in ("wkq", "wpv"):
        assert np.array_equal(resumed.weights[key], whole.weights[key])


def test_a_live_change_at_resume_is_the_change_made_there():
    whole = mesaflow.Session(**BASE)
    whole.step(6)
    whole.set(lr=0.01)
    finish(whole)
    part = mesaflow.Session(**BASE)
    part.step(6)
    resumed = finish(mesaflow.Session.from_checkpoint(part.checkpoint(), lr=0.01))
    assert resumed.history["changes"] == [{"epoch": 6, "field": "lr", "from": "0.02", "to": "0.01"}]
    assert document(resumed) == document(whole)


@pytest.mark.parametrize("precision", ["double", "single"])
def test_python_and_cli_checkpoints_resume_in_each_other(tmp_path, precision, cli_doc):
    short, f = dict(BASE, epochs=6, precision=precision), dict(BASE, precision=precision)
    whole = cli_doc("--mesa-seqs", "8", *options(f))
    # The CLI's checkpoint of the first 6 epochs is the one Python writes for them, byte for byte.
    cli("train", "--quiet", "--checkpoint", str(tmp_path / "cli.json"), *options(short))
    s = finish(mesaflow.Session(**short))
    s.checkpoint(tmp_path / "py.json")
    assert (tmp_path / "py.json").read_text() == (tmp_path / "cli.json").read_text()
    # The CLI's checkpoint goes on in Python, Python's in the CLI: both are the 12-epoch run.
    resumed = finish(mesaflow.Session.from_checkpoint(tmp_path / "cli.json", epochs=12))
    assert document(resumed) == without_wall(whole)
    doc = cli_doc("--from-checkpoint", str(tmp_path / "py.json"), "--epochs", "12", "--mesa-seqs", "8")
    assert without_wall(doc) == without_wall(whole)


@pytest.mark.parametrize("model", [dict(layers=2), dict(layers=3, method="flow"), dict(attention="softmax")])
def test_other_models_resume_in_the_cli_bit_for_bit(tmp_path, model, cli_doc):
    # Each layer's weights and history.ab_layers go through the checkpoint file: a 3-layer run cut at
    # epoch 6 and resumed in the CLI is the uninterrupted run, ab_layers included.
    short, f = dict(BASE, epochs=6, **model), dict(BASE, **model)
    whole = cli_doc("--mesa-seqs", "8", *options(f))
    cli("train", "--quiet", "--checkpoint", str(tmp_path / "c.json"), *options(short))
    doc = cli_doc("--from-checkpoint", str(tmp_path / "c.json"), "--epochs", "12", "--mesa-seqs", "8")
    if "layers" in model:
        assert len(whole["history"]["ab_layers"]) == len(whole["history"]["epoch"])
        assert len(whole["final"]["layers"]) == model["layers"]
    assert without_wall(doc) == without_wall(whole)
    resumed = finish(mesaflow.Session.from_checkpoint(tmp_path / "c.json", epochs=12))
    assert document(resumed) == without_wall(whole)


def test_data_run_resumes_with_its_data(tmp_path, cli_doc):
    rng = np.random.default_rng(3)
    lam = np.exp(2j * np.pi * rng.random((40, 2, 1)))
    x = (rng.standard_normal((40, 2, 1)) * lam ** np.arange(9)).astype(np.complex128)
    np.save(tmp_path / "x.npy", x)
    f = dict(epochs=8, eval_every=4, lr=0.01)
    whole = cli_doc("--data", str(tmp_path / "x.npy"), "--mesa-seqs", "4", *options(f))
    cli("train", "--quiet", "--data", str(tmp_path / "x.npy"), "--checkpoint", str(tmp_path / "c.json"), *options(dict(f, epochs=4)))
    with pytest.raises(ValueError, match="give the same data") as e:
        mesaflow.Session.from_checkpoint(tmp_path / "c.json", epochs=8)
    assert e.value.field == "checkpoint"
    resumed = finish(mesaflow.Session.from_checkpoint(tmp_path / "c.json", data=x, epochs=8))
    got = without_wall(json.loads(resumed.run_document(mesa_seqs=4).to_json()))
    whole.pop("test_set")  # the Session's document does not say where its test set came from
    assert got == without_wall(whole)


def test_bad_checkpoints_are_refused_naming_the_field():
    s = mesaflow.Session(**BASE)
    s.step(3)
    text = s.checkpoint()
    with pytest.raises(ValueError) as e:
        mesaflow.Session.from_checkpoint(text, seed=6)  # defines the data: not a continuation
    assert e.value.field == "seed" and "checkpoint's '5'" in str(e.value)
    with pytest.raises(ValueError, match=r"^--checkpoint: epoch: 3 is out of range \[0, 2\]") as e:
        mesaflow.Session.from_checkpoint(text, epochs=2)  # fewer epochs than it has run
    assert e.value.field == "checkpoint"
    cp = json.loads(text)
    cp["weights"]["wkq_re"][0] = cp["weights"]["wkq_re"][0][:-1]
    with pytest.raises(ValueError, match="weights: expected") as e:
        mesaflow.Session.from_checkpoint(json.dumps(cp))
    assert e.value.field == "checkpoint"
    cp = json.loads(text)
    del cp["gradient_at_params"]
    with pytest.raises(ValueError, match="gradient_at_params: expected true or false") as e:
        mesaflow.Session.from_checkpoint(json.dumps(cp))
    assert e.value.field == "checkpoint"
    with pytest.raises(ValueError, match="not a checkpoint of mesaflow"):
        mesaflow.Session.from_checkpoint('{"epoch": 3}')
    diverged = mesaflow.Session(d=2, T=10, m=40, test_m=20, epochs=30, lr=9.0)
    finish(diverged)
    assert diverged.diverged
    with pytest.raises(ValueError, match="diverged"):
        diverged.checkpoint()
