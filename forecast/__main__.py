"""``python -m forecast``: the same as the ``forecast`` command."""

from .cli import console  # Ctrl-C while the command line loads: exit 130, one line (forecast/cli/__init__.py)

console()
