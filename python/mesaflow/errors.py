"""The error of bad input: a ValueError whose text is the CLI's and whose field names the field."""


class InputError(ValueError):
    """Bad input. str(e) is the CLI's message ("--lr: 'abc' is not valid; expected ..."), e.field
    the field's CLI name ("lr"; "" when no field applies, e.g. an unknown name)."""

    def __init__(self, message, field=""):
        super().__init__(message)
        self.field = field
