"""``python -m tektoro_tui``: the same as the ``tektoro`` command."""

from .cli.entry import run

run()
