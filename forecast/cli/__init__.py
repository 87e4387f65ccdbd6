"""The command line: the guard every command runs inside (:mod:`.main`), the parser (:mod:`.args`)
and the commands (:mod:`.commands`, :mod:`.studies`, :mod:`.report`, :mod:`.init_region`).

Only the standard library is imported here: Ctrl-C while numpy loads is handled like any other."""

from .main import main

__all__ = ["main"]
