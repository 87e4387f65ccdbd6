"""``python -m forecast``: the same as the ``forecast`` command."""

import sys

from .cli import main  # Ctrl-C while the command line loads: exit 130, one line (forecast/cli/__init__.py)

sys.exit(main())
