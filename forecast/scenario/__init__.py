"""Scenario files: the parameter schema, dated values, loading with overlays, and the resolved rules.

:mod:`.parameters` declares every key a scenario may set (unit, range, meaning); :mod:`.load`
reads the files, applies ``extends`` and overlays and validates them into a :class:`Scenario`.
"""

from .load import Scenario, load_scenario

__all__ = ["Scenario", "load_scenario"]
