"""The enrollment stage of a chunk of draws: what the fund stages need of its population, reduced
from (year, draw, sex, age) to the insured by status and by age–sex curve, the births and the
mid-year population over (year, draw).

The population comes in groups of chunks (its projection is fastest on 1,000-2,000 draws at a time)
and the fund stages take several groups' draws at once (their labelled arrays cost much the same for
50 draws as for 2,000), so each group is enrolled on its own: a year at a time as its projection makes
the year (:class:`EnrollingByYear`, so no group keeps its population by age), or after it
(:func:`enroll`: a projection kept whole); the enrolled groups are joined (:meth:`Enrolled.joined`: a
few numbers per draw and year)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from ..labelled import concat_exact
from ..model.enrollment.members import calibrate_enrollment, mid_year_population, retired_share
from ..model.enrollment.summary import InsuredByYear, insured_summary
from ..model.uncertainty.stochastic import DriverPaths
from ..vocabulary import SEXES
from .plan import Plan

__all__ = ["Enrolled", "EnrollingByYear", "enroll"]


@dataclass(frozen=True)
class Enrolled:
    """The insured (``members``: :func:`~forecast.model.enrollment.summary.insured_summary`'s
    count by status and members weighted by curve, persons), the ``births`` and the mid-year
    ``population`` (year, draw; persons) of some draws."""

    members: xr.Dataset
    births: xr.DataArray
    population: xr.DataArray

    @property
    def draws(self) -> np.ndarray:
        return self.births["draw"].values

    @staticmethod
    def joined(parts: list[Enrolled]) -> Enrolled:
        """The draws of ``parts`` one after another (the same years and labels: ``join="exact"``)."""
        if len(parts) == 1:
            return parts[0]
        return Enrolled(
            concat_exact([p.members for p in parts], "draw"),
            concat_exact([p.births for p in parts], "draw"),
            concat_exact([p.population for p in parts], "draw"),
        )


def enroll(pop: xr.Dataset, plan: Plan, figures: dict, curves: xr.Dataset, paths: DriverPaths) -> Enrolled:
    """The enrollment stage of the population ``pop`` (year, draw, sex, age, with births) of some
    draws, ``paths`` their drivers."""
    years = plan.rules.years
    population = mid_year_population(pop["population"].sum(("sex", "age"), skipna=False), years)
    return Enrolled(_members(pop, plan, figures, curves, paths), _births(pop, years), population)


class EnrollingByYear:
    """The enrollment stage of a group of draws as the population's projection makes it, a year at a
    time: given as ``each_year`` to the group's projection
    (:func:`~forecast.model.population.groups.projected_group`), it is called with the group's draw
    numbers and returns the function the projection calls with each year's year-end population
    while it is in cache; the projection then keeps no population. :meth:`enrolled` is
    :func:`enroll` of that population, the same numbers; :attr:`bad_from`: the first year with a
    negative or non-finite count (nothing is enrolled from there), else None; :meth:`over_draws`: the
    population of the fund years summed over the draws (the run's mean population). ``shocks``: the
    run's fund drivers (:class:`~forecast.model.uncertainty.stochastic.DriverPaths`' first argument)."""

    def __init__(self, plan: Plan, figures: dict, curves: xr.Dataset, shocks):
        self.plan, self.figures, self.curves, self.shocks = plan, figures, curves, shocks
        self.years = plan.rules.years
        self.totals, self.summed, self.bad_from, self.insured, self._mid = {}, [], None, None, None

    def __call__(self, draw: np.ndarray):
        self.draw, self.paths = draw, DriverPaths(self.shocks, draw)
        return self._year

    def _year(self, year: int, previous: np.ndarray, new: np.ndarray) -> None:
        """Year ``year``'s population ``new`` (draw, sex, age) and the year before's ``previous``."""
        if self.bad_from is not None:
            return
        total = new.sum(axis=(1, 2))
        if not (new.min() >= 0 and np.isfinite(total).all()):  # a NaN makes the minimum NaN
            self.bad_from = year
            return
        had_previous, self.totals[year] = year - 1 in self.totals, total
        i = year - int(self.years[0])
        if not 0 <= i < len(self.years):
            return
        mid = new
        if had_previous:  # the mean of the year's and the year before's, in a buffer of the group's
            self._mid = np.empty_like(new) if self._mid is None else self._mid
            mid = np.add(previous, new, out=self._mid)
            mid /= 2
        if self.insured is None:  # the base year: the calibration
            self._start(mid, year)
        self.insured.add(i, mid)
        self.summed.append(new.sum(axis=0))

    def _start(self, mid: np.ndarray, year: int) -> None:
        ages = self.curves["age"].values
        dims = ("year", "draw", "sex", "age")
        coords = {"year": [year], "draw": self.draw[: len(mid)], "sex": list(SEXES), "age": ages}
        base = xr.DataArray(mid[None], dims=dims, coords=coords, attrs={"units": "persons"})
        calibration, indices = _calibrated(base, self.plan, self.figures, self.paths)
        retired = retired_share(self.plan.rules, ages)
        self.insured = InsuredByYear(self.years, coords["draw"], ages, retired, calibration, indices, self.curves)

    def enrolled(self, chunk: xr.Dataset) -> Enrolled:
        """The group's :class:`Enrolled`, ``chunk`` its projection (births, draws)."""
        years = np.array(list(self.totals))
        totals = xr.DataArray(np.stack(list(self.totals.values())), dims=("year", "draw"), name="population")
        totals = totals.assign_coords(year=years, draw=chunk["draw"].values)
        population = mid_year_population(totals, self.years)
        return Enrolled(self.insured.result(), _births(chunk, self.years), population)

    def over_draws(self) -> xr.DataArray:
        """The year-end population of the fund years summed over the group's draws (year, sex, age)."""
        coords = {"year": self.years, "sex": list(SEXES), "age": self.curves["age"].values}
        return xr.DataArray(np.stack(self.summed), dims=("year", "sex", "age"), coords=coords)


def _members(pop: xr.Dataset, plan: Plan, figures: dict, curves: xr.Dataset, paths: DriverPaths) -> xr.Dataset:
    """Insured persons by status and weighted by curve, calibrated to the base year's published
    counts (:mod:`forecast.model.enrollment.members`)."""
    years = plan.rules.years
    mid = mid_year_population(pop["population"], years[:1])  # the base year's, for the calibration
    ages = mid["age"].values
    calibration, indices = _calibrated(mid, plan, figures, paths)
    return insured_summary(pop["population"], years, retired_share(plan.rules, ages), calibration, *indices, curves)


def _calibrated(mid: xr.DataArray, plan: Plan, figures: dict, paths: DriverPaths) -> tuple:
    """The enrollment's calibration to the base year's mid-year population ``mid`` (year, draw, sex,
    age) and its indices over the years (in-service and resident coverage, flexible share)."""
    rules, root, years = plan.rules, plan.root, plan.rules.years
    calibration = calibrate_enrollment(
        mid,
        retired_share(root, mid["age"].values),
        figures["in_service"],
        figures["retired"],
        figures["residents"],
        int(years[0]),
    )
    e = rules.enrollment
    in_service = e.in_service_coverage / float(root.enrollment.in_service_coverage[0]) * paths.coverage("in_service")
    resident = e.resident_coverage / float(root.enrollment.resident_coverage[0]) * paths.coverage("resident")
    return calibration, (in_service, resident, e.flexible_worker_share)


def _births(pop: xr.Dataset, years) -> xr.DataArray:
    """Births of each year (year, draw); the census year's cover only the months from the census date."""
    births = pop["births"].sel(year=years).sum("sex", skipna=False)
    if int(pop["year"].values[0]) == int(years[0]):
        first = births.values[:1] / pop.attrs.get("first_step_years", 1.0)
        births = births.copy(data=np.concatenate([first, births.values[1:]]))
    return births
