"""What the fund stages need of the insured, without holding them by age: the fast form of
:func:`~.members.project_enrollment` that the engine uses.

:func:`insured_summary` reduces a projected population (year, draw, sex, age) at once;
:class:`InsuredByYear` does the same a year at a time, each year's mid-year population given as
the population's projection makes it (:mod:`forecast.engine.enrolled`), so no array of every
year's insured by age is made. Both apply :func:`~.members.year_statuses` to blocks of
:data:`DRAW_BLOCK` draws and reduce each block by one matrix product per status: the same
operations on the same numbers, whichever is used.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ...vocabulary import BASIC_POOLS, INSURED_STATUSES
from .members import EnrollmentCalibration, enrollment_terms, year_statuses

__all__ = ["insured_summary", "InsuredByYear", "DRAW_BLOCK", "CURVES"]

#: draws whose enrollment is computed at once, a year at a time (arrays of 500 × 202 stay in cache)
DRAW_BLOCK = 500

#: the sums of members kept: their number, and weighted by each age–sex cost curve
CURVES = ("count", "inpatient", "outpatient", "disability")


class InsuredByYear:
    """The insured of ``draws`` (their numbers) in the fund ``years``, a year at a time
    (:meth:`add`), then :meth:`result`. ``retired``: the share past retirement age (year, sex,
    age); ``calibration`` (:class:`~.members.EnrollmentCalibration`, per draw), ``in_service_index``,
    ``resident_index`` and ``flexible_share`` as :func:`~.members.project_enrollment` takes them;
    ``curves``: the age–sex cost curves; ``ages``: the population's."""

    def __init__(
        self,
        years,
        draws,
        ages,
        retired: xr.DataArray,
        calibration: EnrollmentCalibration,
        indices: tuple,
        curves: xr.Dataset,
    ):
        self.years, self.draws = np.asarray(years), np.asarray(draws)
        in_service_index, resident_index, flexible_share = indices
        self.ret, self.adult, self.old, *factors = enrollment_terms(
            self.years, np.asarray(ages), retired, calibration, in_service_index, resident_index, flexible_share
        )
        n_years, n_draws = len(self.years), len(self.draws)
        self.factors = [np.broadcast_to(a, (n_years, n_draws, 1, 1)) for a in factors]
        self.weights = np.stack(
            [np.ones(curves["inpatient"].shape), *(curves[c].transpose("sex", "age").values for c in CURVES[1:])],
            axis=-1,
        ).reshape(-1, len(CURVES))
        self.summed = np.empty((len(INSURED_STATUSES), n_years, n_draws, len(CURVES)))
        self._out = np.empty((len(INSURED_STATUSES), min(DRAW_BLOCK, n_draws), 2, len(ages)))

    def add(self, i: int, mid: np.ndarray) -> None:
        """Fund year ``i``'s insured, from its mid-year population ``mid`` (draw, sex, age), persons."""
        statuses = len(INSURED_STATUSES)
        for start in range(0, len(self.draws), DRAW_BLOCK):
            block = slice(start, min(start + DRAW_BLOCK, len(self.draws)))
            n = block.stop - block.start
            out = self._out[:, :n]
            year_statuses(mid[block], out, self.ret[i], self.adult, self.old[i], *(f[i, block] for f in self.factors))
            self.summed[:, i, block] = (out.reshape(statuses * n, -1) @ self.weights).reshape(statuses, n, len(CURVES))

    def result(self) -> xr.Dataset:
        """``count`` by status (year, status, draw), ``weighted`` by pool and curve (year, pool, curve,
        draw: the members × each age–sex curve summed over sex and age, curve ``count`` = 1) and
        ``retired_weighted`` (the employee pool's retirees × each curve: year, curve, draw; the
        outpatient rules by status, forecast.model.benefits.outpatient_status), persons."""
        summed, names = self.summed, list(CURVES)
        coords = {"year": self.years, "draw": self.draws}
        count = xr.DataArray(
            summed[..., 0].transpose(1, 0, 2),
            dims=("year", "status", "draw"),
            coords={**coords, "status": list(INSURED_STATUSES)},
        )
        employees = summed[0] + summed[1] + summed[2]
        weighted = xr.DataArray(
            np.stack([employees, summed[3]], axis=1),
            dims=("year", "pool", "draw", "curve"),
            coords={**coords, "pool": list(BASIC_POOLS), "curve": names},
        )
        retired = xr.DataArray(
            summed[INSURED_STATUSES.index("retired")], dims=("year", "draw", "curve"), coords={**coords, "curve": names}
        )
        return xr.Dataset(
            {
                "count": count.assign_attrs(units="persons"),
                "weighted": weighted.transpose("year", "pool", "curve", "draw").assign_attrs(units="persons"),
                "retired_weighted": retired.transpose("year", "curve", "draw").assign_attrs(units="persons"),
            }
        )


def insured_summary(
    population: xr.DataArray,
    years,
    retired: xr.DataArray,
    calibration: EnrollmentCalibration,
    in_service_index,
    resident_index,
    flexible_share,
    curves: xr.Dataset,
) -> xr.Dataset:
    """:meth:`InsuredByYear.result` of the year-end ``population`` (year, draw, sex, age, including
    the year before ``years``): each year's mid-year population, the mean of the year's and the year
    before's (the year-end population in the year of the base population), given in turn."""
    eoy = population.transpose("year", "draw", "sex", "age")
    years, projected = np.asarray(years), eoy["year"].values
    previous = np.clip(np.searchsorted(projected, years - 1), 0, None)
    current = np.searchsorted(projected, years)
    has_previous = projected[previous] == years - 1
    insured = InsuredByYear(
        years,
        eoy["draw"].values,
        eoy["age"].values,
        retired,
        calibration,
        (in_service_index, resident_index, flexible_share),
        curves,
    )
    values = eoy.values
    mid = np.empty(values.shape[1:])
    for i in range(len(years)):
        if has_previous[i]:
            np.add(values[previous[i]], values[current[i]], out=mid)
            mid /= 2
        else:
            np.copyto(mid, values[current[i]])
        insured.add(i, mid)
    return insured.result()
