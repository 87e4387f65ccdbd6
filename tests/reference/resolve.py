"""The parameter resolution of the frozen engine (moved here from the package's parameters module
when the package's rules became a labelled Dataset, forecast.scenario.rules)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecast.scenario.dated import GROWTH_SERIES, DatedValue


@dataclass(frozen=True)
class Resolved:
    """Every parameter of a scenario as a value per year (numpy arrays aligned with ``years``).

    ``extended`` lists, per dated parameter, the years filled beyond its last given year and
    how (``hold`` or a growth series): a run records it in its attrs.
    """

    years: np.ndarray
    values: dict
    extended: dict

    def __getitem__(self, path: str):
        return self.values[path]



def resolve(params, years) -> Resolved:
    """Resolve a scenario's ``params`` (path -> DatedValue or plain value) over ``years``.

    Growth series are resolved first, so that a value continuing with ``wage_growth`` grows
    with the scenario's own wage path.
    """
    years = np.asarray(years, dtype=int)
    values, extended = {}, {}
    order = sorted(params, key=lambda p: p not in GROWTH_SERIES.values())
    for path in order:
        value = params[path]
        if not isinstance(value, DatedValue):
            values[path] = value
            continue
        growth = values.get(GROWTH_SERIES.get(value.after, ""))
        series, beyond = value.path(years, growth)
        values[path] = series
        if beyond:
            extended[path] = f"{value.after} from {value.last_year + 1} to {beyond[-1]} (last given {value.last_year}: {value.points[-1][1]:g})"
    return Resolved(years, values, extended)
