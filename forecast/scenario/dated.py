"""Dated values: a parameter over time, given as points and rules for filling between and after.

Values in scenario files are either a scalar or *dated values*: a mapping year -> value, or the
long form::

    fiscal_subsidy:
      values: {2024: 670, 2030: 850}
      between: linear          # step (default): a value holds until the next given year
      after: wage_growth       # hold (default) | mean_increment | wage_growth | price_inflation
                               # | disposable_income_growth

``mean_increment`` continues by the mean yearly increment of the last three given intervals (the
way the State sets the resident financing standard: yuan added each year, not a growth rate).
A series continuation may lag: ``lag: 1`` grows the value of year t with the series' growth of
year t − 1 (a cap reset each year to a multiple of the previous year's average wage).

A single value (``annual_cap: 470000``) is the value of the base year and of the years before it,
continued after the base year by the parameter's rule like any last given value: benefit limits
grow with the wage index (employees) or per-capita disposable income (residents), one year behind,
unless a scenario freezes them (``after: hold``, or ``assumptions.indexation.benefit_limits:
frozen``). ``constant`` is accepted as another name of ``hold``.

:meth:`DatedValue.path` gives the values for a run of years and reports every year filled beyond
the last given one, so that a run can list (or, with ``--strict``, refuse) them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "DatedValue",
    "FITTED",
    "GROWTH_SERIES",
    "CONTINUATIONS",
    "CONTINUATION_ALIASES",
    "INTERPOLATIONS",
    "INCREMENT_INTERVALS",
]

INTERPOLATIONS = ("step", "linear")
#: Series a dated value may grow with after its last given year (paths in the schema).
GROWTH_SERIES = {
    "wage_growth": "assumptions.economy.wage_growth",
    "price_inflation": "assumptions.economy.price_inflation",
    "disposable_income_growth": "assumptions.economy.disposable_income_growth",
}
#: ``mean_increment`` averages the yearly increments of this many last intervals
INCREMENT_INTERVALS = 3
CONTINUATIONS = ("hold", "mean_increment", *GROWTH_SERIES)
#: other names a file may give a continuation (``constant``: the yuan value frozen)
CONTINUATION_ALIASES = {"constant": "hold"}
#: the value that stands for a growth rate fitted to the bundle's history (forecast.model.fitting.fitted)
FITTED = "fitted"


@dataclass(frozen=True)
class DatedValue:
    """A parameter over time: given (year, value) points, how to fill between and after them."""

    points: tuple[tuple[int, float], ...]
    between: str = "step"
    after: str = "hold"
    #: years the continuation's growth series lags behind (0: the year's own growth)
    lag: int = 0

    @classmethod
    def constant(cls, value: float, after: str = "hold", lag: int = 0) -> DatedValue:
        """One value: the base year's (and the years' before it), continued by ``after``."""
        return cls(((0, value if value == FITTED else float(value)),), after=after, lag=lag)

    @property
    def needs_fit(self) -> bool:
        return any(v == FITTED for _, v in self.points)

    def fill(self, value: float) -> DatedValue:
        """A copy with every ``fitted`` point replaced by ``value``."""
        return DatedValue(
            tuple((y, value if v == FITTED else v) for y, v in self.points), self.between, self.after, self.lag
        )

    def until(self, year: int) -> DatedValue:
        """The points known at the end of ``year`` (those after it dropped; the first kept if none is)."""
        if self.is_constant:
            return self
        kept = tuple(p for p in self.points if p[0] <= year) or self.points[:1]
        return DatedValue(kept, self.between, self.after, self.lag)

    @property
    def is_constant(self) -> bool:
        return len(self.points) == 1 and self.points[0][0] == 0

    @property
    def last_year(self) -> int:
        return self.points[-1][0]

    def mean_increment(self, intervals: int = INCREMENT_INTERVALS) -> float:
        """The mean yearly increment over the last ``intervals`` intervals between given points
        (units a year; 0 with a single point).

        >>> DatedValue(((2021, 320.0), (2022, 350.0), (2023, 380.0), (2024, 400.0))).mean_increment()
        26.666666666666668
        """
        points = self.points[-(intervals + 1) :]
        steps = [(v1 - v0) / (y1 - y0) for (y0, v0), (y1, v1) in zip(points, points[1:])]
        return float(np.mean(steps)) if steps else 0.0

    def path(self, years, growth: np.ndarray | None = None, after: str | None = None) -> tuple[np.ndarray, list[int]]:
        """Values for ``years`` (consecutive) and the years filled beyond the last given year.

        Before the first given year the first value holds; a single value is the first year's
        (the base year's). ``growth`` (ratio a year, aligned with ``years``) is required when the
        continuation names a series; ``after`` overrides the value's own continuation.

        >>> DatedValue.constant(100.0, "wage_growth", lag=1).path([2024, 2025, 2026], np.array([0.05, 0.04, 0.03]))
        (array([100.  , 105.  , 109.2]), [2025, 2026])
        """
        years = np.asarray(years, dtype=int)
        after = self.after if after is None else after
        if self.needs_fit:
            raise ValueError("a 'fitted' value must be filled from the history fit before it is resolved")
        if self.is_constant:
            if after in ("hold", "mean_increment") or len(years) < 2:
                return np.full(len(years), self.points[0][1]), []
            return DatedValue(((int(years[0]), self.points[0][1]),), self.between, after, self.lag).path(years, growth)
        given_years = np.array([p[0] for p in self.points])
        given = np.array([p[1] for p in self.points])
        if self.between == "linear":
            out = np.interp(years, given_years, given)
        else:
            index = np.searchsorted(given_years, years, side="right") - 1
            out = given[np.clip(index, 0, None)]
        beyond = years > self.last_year
        if after == "mean_increment" and beyond.any():
            out = np.where(beyond, given[-1] + self.mean_increment() * (years - self.last_year), out)
        elif after != "hold" and beyond.any():
            if growth is None:
                raise ValueError(f"dated value continues with {after} but no growth series was given")
            growth = np.asarray(growth, dtype=float)
            if self.lag:  # year t grows with year t - lag's growth (the first years with the first year's)
                growth = np.concatenate([np.full(self.lag, growth[0]), growth[: -self.lag]])
            factors = np.cumprod(np.where(beyond, 1.0 + growth, 1.0))
            last = factors[np.searchsorted(years, self.last_year)] if self.last_year >= years[0] else 1.0
            out = np.where(beyond, given[-1] * factors / last, out)
        return out, [int(y) for y in years[beyond]]

    def describe(self, boolean: bool = False) -> str:
        """The value as a scenario file would write it (``boolean``: 1/0 shown as true/false)."""

        def text(v):
            if boolean:
                return "true" if v else "false"
            return v if v == FITTED else f"{v:g}"

        if self.is_constant:
            return text(self.points[0][1])
        pts = ", ".join(f"{y}: {text(v)}" for y, v in self.points)
        return f"{{{pts}}} between={self.between} after={self.after}" + (f" lag={self.lag}" if self.lag else "")
