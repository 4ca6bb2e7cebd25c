# The CLI of build/native (make native) and the module of build/python (make python).
import json
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.environ.get("MESAFLOW_CLI", os.path.join(ROOT, "build", "native", "core", "cli", "mesaflow"))


def cli(*args, check=True):
    r = subprocess.run([CLI, *args], capture_output=True, text=True)
    if check:
        assert r.returncode in (0, 3), r.stderr
    return r


def options(fields):
    """Keyword arguments as the CLI's options: sigma_w=0.1 -> --sigma-w 0.1."""
    out = []
    for k, v in fields.items():
        name = "--" + k.replace("_", "-")
        if isinstance(v, bool):
            out += [name] if v else []  # a flag: given or not
        else:
            out += [name, repr(v) if isinstance(v, float) else str(v)]
    return out


def without_wall(doc):
    doc = dict(doc)
    doc.pop("wall_seconds")
    return doc


@pytest.fixture
def cli_doc(tmp_path):
    def run(*args):
        out = tmp_path / "cli.json"
        cli("train", "--quiet", "--out", str(out), *args)
        return json.loads(out.read_text())

    return run
