"""The enrollment stage of a chunk of draws: what the fund stages need of its population, reduced
from (year, draw, sex, age) to the insured by status and by age–sex curve, the births and the
mid-year population over (year, draw).

The population comes in small chunks (the population's projection is fastest on 1,000 draws at a
time) and the fund stages take several chunks' draws at once (their labelled arrays cost much the
same for 50 draws as for 2,000), so each chunk is enrolled as it comes, its population dropped,
and the enrolled chunks joined (:meth:`Enrolled.joined`: a few numbers per draw and year)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from ..labelled import concat_exact
from ..model.enrollment.members import calibrate_enrollment, insured_summary, mid_year_population, retired_share
from ..model.uncertainty.stochastic import DriverPaths
from .plan import Plan

__all__ = ["Enrolled", "enroll"]


@dataclass(frozen=True)
class Enrolled:
    """The insured (``members``: :func:`~forecast.model.enrollment.members.insured_summary`'s
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


def _members(pop: xr.Dataset, plan: Plan, figures: dict, curves: xr.Dataset, paths: DriverPaths) -> xr.Dataset:
    """Insured persons by status and weighted by curve, calibrated to the base year's published
    counts (:mod:`forecast.model.enrollment.members`)."""
    rules, root, years = plan.rules, plan.root, plan.rules.years
    mid = mid_year_population(pop["population"], years[:1])  # the base year's, for the calibration
    ages = mid["age"].values
    calibration = calibrate_enrollment(
        mid, retired_share(root, ages), figures["in_service"], figures["retired"], figures["residents"], int(years[0])
    )
    e = rules.enrollment
    in_service = e.in_service_coverage / float(root.enrollment.in_service_coverage[0]) * paths.coverage("in_service")
    resident = e.resident_coverage / float(root.enrollment.resident_coverage[0]) * paths.coverage("resident")
    return insured_summary(
        pop["population"],
        years,
        retired_share(rules, ages),
        calibration,
        in_service,
        resident,
        e.flexible_worker_share,
        curves,
    )


def _births(pop: xr.Dataset, years) -> xr.DataArray:
    """Births of each year (year, draw); the census year's cover only the months from the census date."""
    births = pop["births"].sel(year=years).sum("sex", skipna=False)
    if int(pop["year"].values[0]) == int(years[0]):
        first = births.values[:1] / pop.attrs.get("first_step_years", 1.0)
        births = births.copy(data=np.concatenate([first, births.values[1:]]))
    return births
