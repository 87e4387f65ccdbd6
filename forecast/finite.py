"""A run never returns or writes NaN or inf: :func:`check_finite` refuses it and names the inputs.

Validation (scenario schema, bundle plausibility) stops the known causes first; this is the net
under them. It looks at every number of the result, finds the first variable, pool and year
that is not finite, and names the inputs that stage depends on, so the user knows where to look.
"""

from __future__ import annotations

import numpy as np

from .errors import InputError, Problem

__all__ = ["check_finite", "INPUTS"]

_DEMOGRAPHY = "the bundle's base_population, mortality, fertility and migration tables, and the scenario's assumptions.demography"

#: pool (or result group) -> the inputs its figures come from
INPUTS = {
    "population": _DEMOGRAPHY,
    "employee": "policy.employee, assumptions.economy and assumptions.enrollment, and the bundle's employee fund history, insured counts and cost curves",
    "resident": "policy.resident and assumptions.medical_costs, and the bundle's resident fund history, utilisation and cost curves",
    "critical_illness": "policy.critical_illness and assumptions.economy.disposable_income_per_capita",
    "medical_assistance": "policy.medical_assistance, and the bundle's medical-assistance fund history",
    "ltci": "policy.ltci, and the bundle's disability_prevalence table and LTCI fund history",
    "individual_account": "policy.employee.individual_account, and the bundle's individual-account fund history",
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


def check_finite(ds, scenario_files, region_path) -> None:
    """Raise InputError if any variable of ``ds`` holds NaN or inf, naming where and which inputs."""
    problems = []
    for name, da in ds.data_vars.items():
        found = _first_bad(da)
        if found is None:
            continue
        where, count = found
        group = str(where.get("pool", "individual_account" if name.startswith("individual_account") else "ltci" if name.startswith("ltci") else "population"))
        at = ", ".join(f"{k} {v}" for k, v in where.items())
        problems.append(
            Problem(
                " + ".join(str(f) for f in scenario_files),
                f"the run produced {count} non-finite value(s) of '{name}' (first at {at}); nothing was written",
                f"check {INPUTS.get(group, INPUTS['population'])} (region {region_path}): a zero where a rate or count is divided, or an extreme value",
            )
        )
    if problems:
        raise InputError(problems)
