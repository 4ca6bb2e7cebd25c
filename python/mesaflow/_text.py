"""Keyword arguments as the text the core's field table reads (set_field): the shortest text that
reads back exactly (repr of a float), true/false for flags, choices and text as they are."""
import numbers

from .errors import InputError


def value_text(key, value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    if isinstance(value, str):
        return value
    raise InputError(f"--{key}: {value!r} is not a value of this field (give a number, a flag or a text)", key)


def pairs(fields):
    """[(key, text)] in the order given."""
    return [(k, value_text(k, v)) for k, v in fields.items()]


def grid_text(key, value):
    """A sweep's value: a list becomes the CLI's list text "a,b,c"; a text is the CLI's grid text."""
    if isinstance(value, (list, tuple)):
        if not value:
            raise InputError(f"--{key}: an empty list has no runs", key)
        return ",".join(value_text(key, v) for v in value)
    return value_text(key, value)
