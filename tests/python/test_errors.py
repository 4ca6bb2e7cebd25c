# Bad keyword arguments raise ValueError with the CLI's message, the field named.
import pytest

import mesaflow
from conftest import cli


@pytest.mark.parametrize("key,value,option", [("lr", "abc", "--lr"), ("d", 0, "--d"), ("x1", "cauchy", "--x1"),
                                              ("epochs", -3, "--epochs")])
def test_bad_value_has_the_cli_message(key, value, option):
    r = cli("train", option, str(value), check=False)
    assert r.returncode == 2
    expected = r.stderr.splitlines()[0].removeprefix("mesaflow: ")
    with pytest.raises(ValueError) as e:
        mesaflow.train(**{key: value})
    assert str(e.value) == expected
    assert e.value.field == key.replace("_", "-")


def test_unknown_key():
    with pytest.raises(ValueError, match="unknown option 'colour'"):
        mesaflow.train(colour=1)


def test_wrong_data_dtype():
    import numpy as np

    with pytest.raises(ValueError, match="complex64 or complex128") as e:
        mesaflow.train(data=np.zeros((4, 2, 10)))
    assert e.value.field == "data"
