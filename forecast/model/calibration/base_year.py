"""The fund base year and its published figures: what the calibration reproduces.

The fund base year is the last year of the bundle with the employee fund's and the resident
fund's income and expenditure and the in-service count (2024 for data/china). Its figures are
read once (:func:`base_year_figures`), with a located error for any the model needs and the
bundle lacks; reserves at the end of the year before open the roll-forward
(:func:`opening_reserves`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import xarray as xr

from ...errors import InputError, Problem
from ..benefits.payers import require

__all__ = [
    "fund_base_year",
    "base_year_figures",
    "opening_reserves",
    "opening_by_pool",
    "interest_in_year",
    "costs_benefits",
    "BENEFIT_PARAMETERS",
    "check_span",
    "refuse_uncosted_changes",
]


def fund_base_year(region) -> int:
    """The last year with the employee fund's income and expenditure published (pooled fund, or
    before 2023 the employee total), the resident fund's, and the in-service count.

    A later full year with only some of them is refused rather than skipped: the base year must
    not move back silently because one figure was left blank."""
    years, partial = None, {}
    for pool, accounts in (("employee", ("pooled_fund", "total")), ("resident", ("total",))):
        found, seen = set(), set()
        for account in accounts:
            income = region.fund(pool, "income", account).dropna()
            spent = region.fund(pool, "expenditure", account).dropna()
            found |= set(income.index) & set(spent.index)
            seen |= set(income.index) | set(spent.index)
        years = found if years is None else years & found
        partial[pool] = seen
    insured = region.insured.sel(pool="employee", status="in_service").dropna("year")["year"].values
    complete = sorted(years & set(int(y) for y in insured))
    latest = max(partial["employee"] | partial["resident"], default=None)
    path = region.path / region.files.get("fund_history", {}).get("path", "fund_history.csv")
    if not complete:
        raise InputError(
            Problem(
                path,
                "no year with the employee and resident funds' income and expenditure and the in-service count",
                "add the last published year's rows "
                "(employee pooled_fund or total, resident total; insured.csv in_service)",
            )
        )
    if latest is not None and latest > complete[-1]:
        missing = [
            f"{pool} income and expenditure"
            for pool in ("employee", "resident")
            if latest not in years or latest not in partial[pool]
        ]
        missing += [] if latest in insured else ["the employee in_service count (insured.csv)"]
        raise InputError(
            Problem(
                path,
                f"{latest} has some fund figures but not all the base year needs "
                f"({', '.join(missing) or 'the pair of income and expenditure'}): "
                f"the base year would fall back to {complete[-1]} without notice",
                f"fill in {latest}'s blank figures, or remove its rows to make {complete[-1]} the base year",
            )
        )
    return int(complete[-1])


def base_year_figures(region, year: int) -> dict:
    """The published figures the calibration reproduces (yuan, persons), by name."""

    def fund(pool, item, account="total", y=year):
        series = region.fund(pool, item, account)
        return float(series.get(y, np.nan))

    def insured(pool, status):
        return (
            float(region.insured.sel(year=year, pool=pool, status=status))
            if year in region.insured["year"].values
            else np.nan
        )

    pooled = [np.isfinite(fund("employee", item, "pooled_fund")) for item in ("income", "expenditure")]
    if any(pooled) and not all(pooled):
        given, blank = ("income", "expenditure") if pooled[0] else ("expenditure", "income")
        raise InputError(
            Problem(
                region.path / "fund_history.csv",
                f"{year}: the employee pooled fund's {given} is given but its {blank} is blank",
                "give both (the bulletin's 统筹基金 figures), or neither, "
                "to calibrate the employee fund as one account",
                field="value",
            )
        )
    folded = not any(pooled)
    figures = {
        "in_service": insured("employee", "in_service"),
        "retired": insured("employee", "retired"),
        "residents": insured("resident", "all"),
        "ltci_insured": insured("ltci", "all"),
        "employee_pooled_income": fund("employee", "income", "pooled_fund"),
        "employee_pooled_expenditure": fund("employee", "expenditure", "pooled_fund"),
        "employee_pooled_reserve_opening": fund("employee", "reserve", "pooled_fund", year - 1),
        "employee_pooled_reserve": fund("employee", "reserve", "pooled_fund"),
        "individual_account_income": fund("employee", "income", "individual_account"),
        "individual_account_expenditure": fund("employee", "expenditure", "individual_account"),
        "individual_account_reserve_opening": fund("employee", "reserve", "individual_account", year - 1),
        "maternity_expenditure": fund("employee", "expenditure", "maternity"),
        "resident_income": fund("resident", "income"),
        "resident_expenditure": fund("resident", "expenditure"),
        "resident_reserve_opening": fund("resident", "reserve", "total", year - 1),
        "resident_reserve": fund("resident", "reserve"),
        "assistance_expenditure": fund("medical_assistance", "expenditure"),
        "ltci_income": fund("ltci", "income"),
        "ltci_expenditure": fund("ltci", "expenditure"),
        "ltci_income_previous": fund("ltci", "income", "total", year - 1),
        "ltci_expenditure_previous": fund("ltci", "expenditure", "total", year - 1),
        "ltci_users": region.use(year, "ltci", "long_term_care", "users"),
    }
    if folded:
        # before 2023 the bulletins give the employee fund as a whole: calibrate it as one account
        figures.update(
            employee_pooled_income=fund("employee", "income"),
            employee_pooled_expenditure=fund("employee", "expenditure"),
            employee_pooled_reserve_opening=fund("employee", "reserve", "total", year - 1),
            employee_pooled_reserve=fund("employee", "reserve"),
            individual_account_income=0.0,
            individual_account_expenditure=0.0,
            individual_account_reserve_opening=0.0,
        )
    figures["accounts_folded"] = float(folded)
    needed = {
        "in_service": "insured.csv: employee in_service",
        "retired": "insured.csv: employee retired",
        "residents": "insured.csv: resident all",
        "employee_pooled_income": "fund_history.csv: employee pooled_fund income",
        "employee_pooled_expenditure": "fund_history.csv: employee pooled_fund expenditure",
        "employee_pooled_reserve_opening": f"fund_history.csv: employee pooled_fund reserve for {year - 1}",
        "individual_account_income": "fund_history.csv: employee individual_account income",
        "individual_account_expenditure": "fund_history.csv: employee individual_account expenditure",
        "resident_income": "fund_history.csv: resident total income",
        "resident_expenditure": "fund_history.csv: resident total expenditure",
        "resident_reserve_opening": f"fund_history.csv: resident total reserve for {year - 1}",
        "maternity_expenditure": (
            "fund_history.csv: employee maternity expenditure "
            "(write 0 if the bundle does not split it out: it then stays in the other benefits)"
        ),
        "assistance_expenditure": "fund_history.csv: medical_assistance total expenditure",
    }
    for key, where in needed.items():
        require(region, figures[key], f"the {year} figure '{key}'", f"add it ({where})")
    ltci = {
        "LTCI income": figures["ltci_income"],
        "LTCI expenditure": figures["ltci_expenditure"],
        "LTCI beneficiaries (utilisation.csv: ltci long_term_care users)": figures["ltci_users"],
    }
    given = [k for k, v in ltci.items() if np.isfinite(v)]
    if given and len(given) < len(ltci):
        raise InputError(
            Problem(
                region.path,
                f"{year}: {', '.join(given)} given but not {', '.join(k for k in ltci if k not in given)}: "
                "LTCI cannot be calibrated from part of its figures",
                "give all three for the base year, or none (LTCI is then not projected)",
            )
        )
    return figures


def interest_in_year(opening: float, income: float, expenditure: float, rate: float) -> float:
    """The interest contained in a published year's income, by the model's convention.

    Solves i = rate · (opening + (income − i − expenditure)/2) for i (none on a negative base).
    """
    i = rate * (opening + (income - expenditure) / 2) / (1 + rate / 2)
    return max(i, 0.0)


def costs_benefits(region, year: int) -> bool:
    """True when the bundle publishes benefit use for ``year``, so benefit rules are costed claim
    by claim; False when the calibration falls back to :func:`reduced_claim_model`."""
    return all(np.isfinite(region.use(year, pool, "inpatient", "uses")) for pool in ("employee", "resident"))


#: scenario parameters that only the full claim model can cost
BENEFIT_PARAMETERS = (
    "policy.employee.benefits.",
    "policy.resident.benefits.",
    "policy.critical_illness.",
    "policy.medical_assistance.groups.",
    "policy.medical_assistance.annual_limit",
)


def opening_reserves(figures: dict) -> dict:
    """Reserves at the end of the year before the base year (yuan).

    LTCI: only the previous year's balance is known (national LTCI reserves are not published),
    so the reserve accumulates from that year. Critical illness and medical assistance hold none.
    """

    def known(value):
        return value if np.isfinite(value) else 0.0

    return {
        "employee": figures["employee_pooled_reserve_opening"],
        "resident": figures["resident_reserve_opening"],
        "critical_illness": 0.0,
        "medical_assistance": 0.0,
        "ltci": known(figures["ltci_income_previous"] - figures["ltci_expenditure_previous"]),
        "individual_account": known(figures["individual_account_reserve_opening"]),
    }


def opening_by_pool(figures: dict, ltci_projected) -> xr.DataArray:
    """:func:`opening_reserves` as an array over pool (and draw, from ``ltci_projected``: the LTCI
    calibration's per-draw flag); LTCI holds none when it is not projected (no flows, no reserve)."""
    from ...labelled import stack
    from ...vocabulary import POOLS

    reserves = opening_reserves(figures)
    values = [
        xr.where(ltci_projected, reserves[p], 0.0)
        if p == "ltci"
        else xr.zeros_like(ltci_projected, dtype=float) + reserves[p]
        for p in POOLS
    ]
    return stack(values, "pool", POOLS)


def check_span(scenario, region, base: int, horizon: int) -> None:
    """A run must end after the base year, and the base population be dated within it or before."""
    if horizon <= base:
        file, line = scenario.origins.get("horizon") or (scenario.files[-1], None)
        raise InputError(
            Problem(
                file,
                f"the horizon {horizon} is not after the fund base year {base} "
                "(the last year of the bundle's fund history)",
                f"set 'horizon:' to a year after {base}, e.g. 2060",
                line,
                "horizon",
                horizon,
            )
        )
    if region.population_date >= dt.date(base, 12, 31):
        raise InputError(
            Problem(
                region.path / "region.yaml",
                f"the base population is dated {region.population_date.isoformat()}, "
                f"not before the end of the fund base year {base}: the fund model needs the population during {base}",
                f"give the population at a date before 31 December {base} "
                "(e.g. the last census, projected forward by the model), or fund figures for a later year",
                field="population_date",
                value=region.population_date.isoformat(),
            )
        )


def refuse_uncosted_changes(scenario, params: dict, root_params: dict, base: int) -> None:
    """Without benefit use (the reduced claim model) a benefit change would cost a silent 0: refuse it."""
    changed = [k for k in params if k.startswith(BENEFIT_PARAMETERS) and params[k] != root_params.get(k)]
    if changed:
        file, line = scenario.origins.get(changed[0]) or (scenario.files[-1], None)
        raise InputError(
            Problem(
                file,
                f"the region publishes no benefit use for {base} (admissions, visits and their costs), "
                f"so the change to {changed[0]} cannot be costed and would show as 0",
                "add the base year's benefit use to the bundle's utilisation.csv (see data/china/utilisation.csv), "
                "or run without the benefit change",
                line,
                changed[0],
            )
        )
