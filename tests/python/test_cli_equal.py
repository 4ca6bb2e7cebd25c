# mesaflow.train and mesaflow.theory give the CLI's documents bit for bit (JSON numbers are
# printed round-trip, so equal text is equal bits), in both precisions and several settings.
import json

import numpy as np
import pytest

import mesaflow
from conftest import cli, options, without_wall

SETTINGS = [
    dict(d=3, T=20, m=200, test_m=100, epochs=20, lr=0.01),
    dict(d=2, T=12, m=96, test_m=50, epochs=10, x1="sparse", scale=2.0, a0=0.5, b0=1.5, lr=0.001, eval_every=3),
    dict(d=3, T=16, m=64, test_m=40, epochs=8, init="gaussian", sigma_w=0.2, lr=0.005, seed=7),
    dict(d=2, T=10, m=80, test_m=30, epochs=6, method="flow", lr=0.01, clip=True),
    dict(d=2, T=10, m=40, test_m=20, epochs=5, model="linear-map", lr=0.01),
    dict(d=2, T=10, m=40, test_m=20, epochs=30, lr=9.0),  # diverges: the message is the CLI's
    dict(d=2, T=10, m=40, test_m=20, epochs=6, layers=3, lr=2e-4, eval_every=2),
    dict(d=2, T=10, m=40, test_m=20, epochs=6, attention="softmax", lr=0.01),
]


@pytest.mark.parametrize("precision", ["double", "single"])
@pytest.mark.parametrize("fields", SETTINGS)
def test_train_equals_cli(fields, precision, cli_doc):
    fields = dict(fields, precision=precision)
    run = mesaflow.train(mesa_seqs=25, **fields)
    doc = cli_doc("--mesa-seqs", "25", *options(fields))
    assert without_wall(json.loads(run.to_json())) == without_wall(doc)
    # The arrays are the document's numbers.
    for k, v in doc["history"].items():
        if k in ("params", "changes") or v is None:
            assert v is None or k in ("params", "changes") or run.history[k] is None, k
            continue
        assert np.array_equal(run.history[k], np.array([np.nan if x is None else x for x in v]), equal_nan=True), k
    for name in ("wkq", "wpv") if fields.get("model") != "linear-map" and fields.get("layers", 1) == 1 else ():
        assert np.array_equal(run.final[name].real, np.array(doc["final"][name + "_re"]))
        assert np.array_equal(run.final[name].imag, np.array(doc["final"][name + "_im"]))
    for layer, obj in zip(run.final.get("layers", []), doc["final"].get("layers", []), strict=True):
        for name in ("wkq", "wpv"):  # each layer's blocks, layer 1 first
            assert np.array_equal(layer[name].real, np.array(obj[name + "_re"]))
            assert np.array_equal(layer[name].imag, np.array(obj[name + "_im"]))
    if fields.get("layers"):
        assert run.history["ab_layers"].shape == (len(doc["history"]["epoch"]), fields["layers"])
    assert run.theory == doc["theory"]
    assert run.config == doc["config"]
    # Issue 23: every attention model's document has the mesa view with the K-step GD comparators
    # (core/THEORY.md §13); gd1 is the one-layer linear model's only.
    if fields.get("model") != "linear-map" and not run.diverged:
        mesa = run.document["mesa"]
        assert [s["k"] for s in mesa["gd_steps"]] == [1, 2, 3, 4]
        assert len(mesa["gd_steps_causal"]) == 4
        assert (mesa["gd1"] is None) == (fields.get("layers", 1) > 1 or fields.get("attention") == "softmax")
        assert run.document["baselines"]["gd_worth"] == mesa["gd_worth"]
    # The softmax model's kernel-smoother comparator (core/THEORY.md §14) is in its mesa view; no other model has one.
    mesa = run.document["mesa"]
    if fields.get("attention") == "softmax" and not run.diverged:
        assert mesa["smoother"]["temperature"] > 0 and len(mesa["smoother"]["error"]) == fields["T"] - 2
    else:
        assert mesa is None or mesa["smoother"] is None


def test_diverged_run_reports_as_the_cli():
    run = mesaflow.train(d=2, T=10, m=40, test_m=20, epochs=30, lr=9.0, mesa_seqs=0)
    assert run.diverged and "--lr" in run.message


@pytest.mark.parametrize("fields", [dict(d=3), dict(d=2, x1="sparse", a0=0.3, b0=0.4, lr=0.01, epochs=50)])
def test_theory_equals_cli(fields):
    r = cli("theory", *options(fields))
    assert mesaflow.theory(**fields) == json.loads(r.stdout)


def test_version_and_fields():
    assert cli("--version").stdout.splitlines()[0] == "mesaflow " + mesaflow.__version__
    keys = [f["key"] for f in mesaflow.fields()]
    assert "sigma_w" in keys and "lr" in keys
