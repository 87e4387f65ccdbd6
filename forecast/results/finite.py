"""A run never returns or writes NaN or inf: :func:`check_finite` refuses it and names the inputs.

Validation (scenario schema, bundle plausibility) stops the known causes first; this is the net
under them. It looks at every number of the result and reports, per pool (or the population),
the first variable and year that is not finite, with the inputs that stage depends on, so the
user knows where to look. ``months_covered`` (reserve / monthly expenditure) can be undefined in
a valid but extreme scenario (a pool that holds a reserve and pays nothing) and gets its own
explanation.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError, Problem

__all__ = ["check_finite", "INPUTS"]

#: pool (or result group) -> the inputs its figures come from
INPUTS = {
    "population": (
        "the bundle's base_population, mortality, fertility and migration tables, and the scenario's "
        "assumptions.demography"
    ),
    "employee": (
        "policy.employee, assumptions.economy and assumptions.enrollment, and the bundle's employee fund history, "
        "insured counts and cost curves"
    ),
    "resident": (
        "policy.resident and assumptions.medical_costs, and the bundle's resident fund history, utilisation and cost "
        "curves"
    ),
    "critical_illness": "policy.critical_illness and assumptions.economy.disposable_income_per_capita",
    "medical_assistance": "policy.medical_assistance, and the bundle's medical-assistance fund history",
    "ltci": "policy.ltci, and the bundle's disability_prevalence table and LTCI fund history",
    "individual_account": "policy.employee.individual_account, and the bundle's individual-account fund history",
}

#: variables in the order they are computed: the first bad one is the cause, the rest follow
ORDER = (
    "population",
    "insured_by_status",
    "insured",
    "income_items",
    "expenditure_items",
    "income",
    "expenditure",
    "balance",
    "reserve",
    "months_covered",
)
WHY = {
    "months_covered": (
        "the pool holds a reserve but spends nothing that year (no one covered, or no one claiming), so the months it "
        "covers are undefined"
    ),
}


def _first_bad(da):
    """(coordinates of the first non-finite value, count) of a numeric DataArray, or None."""
    values = np.asarray(da.values)
    if values.dtype.kind not in "fc":
        return None
    bad = ~np.isfinite(values)
    if not bad.any():
        return None
    index = np.unravel_index(np.flatnonzero(bad)[0], values.shape)
    return {dim: da[dim].values[i] if dim in da.coords else i for dim, i in zip(da.dims, index)}, int(bad.sum())


def _group(name: str, where: dict) -> str:
    if "pool" in where:
        return str(where["pool"])
    if name.startswith("individual_account"):
        return "individual_account"
    return "ltci" if name.startswith("ltci") else "population"


#: per-draw years where NaN means "not within the horizon" (stored as the NetCDF missing value)
YEARS = ("first_deficit_year", "exhaustion_year")


def check_finite(ds, scenario_files, region_path) -> None:
    """Raise InputError if any variable of ``ds`` holds NaN or inf, naming where and which inputs."""
    names = sorted(
        (n for n in ds.data_vars if n not in YEARS), key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER)
    )
    reported: dict[str, Problem] = {}
    for name in names:
        found = _first_bad(ds[name])
        if found is None:
            continue
        where, count = found
        group = _group(name, where)
        if group in reported:
            continue
        at = ", ".join(f"{k} {v}" for k, v in where.items())
        why = f": {WHY[name]}" if name in WHY else ""
        reported[group] = Problem(
            " + ".join(str(f) for f in scenario_files),
            f"the run produced {count} non-finite value(s) of '{name}' (first at {at}){why}; nothing was written",
            f"check {INPUTS[group]} (region {region_path}): a zero where a rate or count is divided, or an extreme "
            "value",
        )
    if reported:
        raise InputError(list(reported.values()))
