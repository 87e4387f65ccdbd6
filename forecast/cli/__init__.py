"""The command line: the guard every command runs inside (:mod:`.main`), the parser (:mod:`.args`, with
:mod:`.options`, :mod:`.study_args` and :mod:`.budget_args`)
and the commands (:mod:`.commands`, :mod:`.studies`, :mod:`.batch`, :mod:`.budget`, :mod:`.report`,
:mod:`.init_region`).

Only the standard library is imported here: Ctrl-C while numpy loads is handled like any other, and
Ctrl-C while the command line itself loads (before the guard is in place) ends it the same way:
one line, exit code 130, no traceback."""

try:
    from .main import console, main
except KeyboardInterrupt:  # only while loading: the guard handles it from then on
    import sys

    sys.stderr.write("forecast: interrupted (Ctrl-C)\n")
    raise SystemExit(130) from None

__all__ = ["main", "console"]
