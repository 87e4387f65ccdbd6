"""Memory pages while a run projects: large arrays on ordinary pages, not huge ones.

numpy advises the operating system to back every array of 4 MiB or more with transparent huge pages
(``madvise(MADV_HUGEPAGE)``). Where transparent huge pages are ``madvise`` with defrag ``madvise`` (the
default of many Linux distributions, and of the machines this project is measured on), each fresh huge
page may first make the kernel compact memory synchronously, in the thread that touched it: a stochastic
run, whose population and fund arrays of a group of draws are 30-130 MB each and fresh on their first
groups, waited on it. Measured on 2 cores (``forecast run baseline --draws 10000``, four runs each,
interleaved): 9.0 s median with the advice, of which 3.5 s system time; 7.0 s without it, 1.3 s system
time. The numbers a run computes do not depend on it.

:func:`ordinary_pages` turns the advice off for the duration of a run and restores it after; a user who
set ``NUMPY_MADVISE_HUGEPAGE`` has chosen, and is left as chosen.
"""

from __future__ import annotations

import contextlib
import os

__all__ = ["ordinary_pages"]


def _advice_setter():
    """numpy's switch of its huge-page advice (returns the previous setting), or None if it has none."""
    try:
        from numpy._core import multiarray
    except ImportError:  # numpy 1.x
        from numpy.core import multiarray
    return getattr(multiarray, "_set_madvise_hugepage", None)


@contextlib.contextmanager
def ordinary_pages():
    """Within the block, numpy gives no huge-page advice for new arrays (see the module)."""
    setter = _advice_setter()
    if setter is None or "NUMPY_MADVISE_HUGEPAGE" in os.environ:
        yield
        return
    previous = setter(False)
    try:
        yield
    finally:
        setter(previous)
