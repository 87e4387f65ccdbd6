"""Income: contributions, fiscal subsidies and account credits, per pool, for every year and draw.

Each function computes one quantity as a labelled array over (year[, draw]), in yuan.

- Employee (国发〔1998〕44号; 国办发〔2021〕14号): contributions = contributors × contribution base
  × (employer + employee + maternity rate); the base is the base year's collected base per
  in-service member (calibrated) grown with wages and scaled by compliance; flexible workers pay
  on ``flexible_base_ratio`` of it, retirees (if a scenario makes them pay) on
  ``retiree_base_ratio``. In-service accounts receive ``in_service_rate`` of the base; retirees'
  accounts a fixed yearly credit (国办发〔2021〕14号: about 2% of the average pension in the reform
  year, not adjusted), both paid out of the contributions: the pooled fund's contribution income
  is what is left.
- Resident: enrollees × (individual contribution + fiscal subsidy) × the base year's realisation
  ratio (income per enrollee over the national minimum standard: local top-ups).
- Interest is booked by the roll-forward (:mod:`forecast.model.fund.rollforward`).
"""

from __future__ import annotations

import xarray as xr

__all__ = [
    "FINANCING_PARAMS",
    "wage_index",
    "contribution_base",
    "employee_contributions",
    "account_credits",
    "retiree_account_credit",
    "resident_financing",
]

#: the financing parameters: what the pools' income reads, and nothing the plan holds does (its benefit
#: layers, cost and wage indices: tests/test_reuse.py makes them with these NaN and finds them
#: unchanged), so projections that differ only in these share the plan's other parts (a solver's trials)
FINANCING_PARAMS = (
    "policy.employee.employer_rate",
    "policy.employee.employee_rate",
    "policy.employee.maternity_rate",
    "policy.resident.individual_contribution",
    "policy.resident.fiscal_subsidy",
    "policy.ltci.financing_per_capita",
)


def _index(growth: xr.DataArray) -> xr.DataArray:
    """A cumulative index of annual growth rates, 1 in the first (base) year."""
    factors = (1.0 + growth).copy()
    factors[{"year": 0}] = 1.0
    return factors.cumprod("year")


def wage_index(rules) -> xr.DataArray:
    """Average wage relative to the base year: Π (1 + wage_growth), ratio."""
    out = _index(rules.economy.wage_growth)
    out.attrs = {"units": "ratio", "description": "average wage relative to the base year"}
    return out


def contribution_base(base_year_base, wages: xr.DataArray, rules, root_rules) -> xr.DataArray:
    """Collected contribution base per in-service member: the base year's × wages × compliance
    (relative to the base year's), yuan/person/year."""
    compliance = rules.enrollment.compliance_rate / float(root_rules.enrollment.compliance_rate[0])
    out = base_year_base * wages * compliance
    out.attrs["units"] = "yuan/person/year"
    return out


def employee_contributions(counts: xr.Dataset, base: xr.DataArray, rules) -> xr.DataArray:
    """All employee-pool contributions (pooled fund and accounts), yuan a year: in-service members
    and flexible workers (on their base ratio) at the total rate, retirees at theirs."""
    e = rules.employee
    rate = e.employer_rate + e.employee_rate + e.maternity_rate
    contributors = counts["in_service"] + counts["flexible"] * e.flexible_base_ratio
    out = contributors * base * rate + counts["retired"] * base * e.retiree_base_ratio * e.retiree_contribution_rate
    out.attrs["units"] = "yuan"
    return out


def retiree_account_credit(rules, reformed) -> xr.DataArray:
    """A retiree's yearly account credit (国办发〔2021〕14号): the reformed fixed amount (the
    scenario's ``retiree_credit``, or ``reformed``, the one calibrated to the base year, when it
    gives 0) for the share of retirees already under the reform (``reform_share``), and the
    pre-reform credit, ``legacy_credit_ratio`` times it, for the rest, yuan/person/year."""
    accounts = rules.employee.individual_account
    credit = xr.where(accounts.retiree_credit > 0, accounts.retiree_credit, reformed)
    out = credit * (accounts.reform_share + (1 - accounts.reform_share) * accounts.legacy_credit_ratio)
    out.attrs["units"] = "yuan/person/year"
    return out


def account_credits(counts: xr.Dataset, base: xr.DataArray, rules, reformed_retiree_credit) -> xr.DataArray:
    """Credits to individual accounts: in-service members' own share of the base
    (``in_service_rate``, the 2% of 国办发〔2021〕14号) and each retiree's credit
    (:func:`retiree_account_credit`), yuan."""
    accounts = rules.employee.individual_account
    out = counts["in_service"] * base * accounts.in_service_rate + counts["retired"] * retiree_account_credit(
        rules, reformed_retiree_credit
    )
    out.attrs["units"] = "yuan"
    return out


def resident_financing(
    residents: xr.DataArray, rules, realisation, deviation: xr.DataArray | None = None
) -> xr.Dataset:
    """Resident-pool financing, split into individual contributions and fiscal subsidies, yuan;
    ``deviation`` (year, part[, draw]) shifts the standards (yuan, a stochastic run's draws)."""
    individual, subsidy = rules.resident.individual_contribution, rules.resident.fiscal_subsidy
    if deviation is not None:
        individual = (individual + deviation.sel(part="individual_contribution", drop=True)).clip(min=0.0)
        subsidy = (subsidy + deviation.sel(part="fiscal_subsidy", drop=True)).clip(min=0.0)
    standard = individual + subsidy
    total = residents * standard * realisation
    share = xr.where(standard > 0, individual / standard.where(standard > 0, 1.0), 0.0)
    out = xr.Dataset(
        {"contributions": total * share, "fiscal_subsidy": xr.where(standard > 0, total * (1 - share), 0.0)}
    )
    for name in out.data_vars:
        out[name].attrs["units"] = "yuan"
    return out
