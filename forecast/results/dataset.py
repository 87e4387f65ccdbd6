"""The result Dataset of a run: the stages' arrays under the contract's names, with units.

The public contract (docs/architecture.md) fixes the names: ``population (year, sex, age)``, ``insured``, ``income``,
``expenditure``, ``balance``, ``reserve``, ``months_covered`` and ``verdict`` (year, pool), plus
the items behind income and expenditure, the insured by status, the employee individual
accounts and the LTCI beneficiaries. A stochastic run adds ``draw`` to every flow.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ..model.fund import VERDICTS, months_covered, verdict_codes
from ..model.fund.warning import warning_codes

__all__ = [
    "fund_dataset",
    "PopulationResult",
    "provenance",
    "conventions",
    "THRESHOLDS",
    "WARNING_SETTINGS",
    "ACCOUNTING",
]

THRESHOLDS = ("critical_months", "low_months", "high_months", "excess_months")
WARNING_SETTINGS = ("warning_deficit_years", "warning_trend_years", "warning_surplus_rate")
ACCOUNTING = (
    "reserve(t) = reserve(t-1) + income(t) - expenditure(t); income includes interest at the scenario's rate "
    "on the opening reserve plus half the year's balance (none on a negative amount)"
)


def fund_dataset(
    income_items: xr.DataArray,
    expenditure_items: xr.DataArray,
    reserve: xr.DataArray,
    insured: xr.DataArray,
    thresholds: dict,
    payg: xr.DataArray,
    extra: dict,
    warnings: dict | None = None,
) -> xr.Dataset:
    """Totals, balance, months covered and the verdict from the items and reserves; ``extra`` are
    further variables (name -> DataArray with attrs) placed alongside."""
    extra = {name: value.reset_coords(drop=True) for name, value in extra.items()}  # scalar labels left by .sel
    income = income_items.sum("income_item", skipna=False)  # a NaN item stays NaN, for the checks to name
    expenditure = expenditure_items.sum("expenditure_item", skipna=False)
    balance = income - expenditure
    months = months_covered(reserve, expenditure)
    idle = (income == 0) & (expenditure == 0) & (reserve == 0)
    ds = xr.Dataset(
        {
            "insured": insured.assign_attrs(units="persons", description="mid-year insured (covered) persons per pool"),
            "income": income.assign_attrs(
                units="yuan", description="fund income including interest (employee: pooled fund, maternity included)"
            ),
            "expenditure": expenditure.assign_attrs(
                units="yuan", description="fund expenditure (employee: pooled fund, maternity included)"
            ),
            "balance": balance.assign_attrs(
                units="yuan", description="current-year balance: income - expenditure (当期结余)"
            ),
            "reserve": reserve.assign_attrs(
                units="yuan",
                description=(
                    "accumulated reserve at year end (累计结余); "
                    "negative = an accumulated deficit that public budgets would have to meet"
                ),
            ),
            "months_covered": months,
            "verdict": verdict_codes(reserve, balance, months, thresholds, payg, idle),
            "income_items": income_items.assign_attrs(units="yuan", description="income by item"),
            "expenditure_items": expenditure_items.assign_attrs(units="yuan", description="expenditure by item"),
            **extra,
        }
    )
    if warnings is not None:
        ds["warning"] = warning_codes(ds, thresholds, warnings, idle | payg)
    return ds


class PopulationResult:
    """The population part of the result: the deterministic path, each draw's (``keep``), or the
    mean over draws, accumulated chunk by chunk."""

    def __init__(self, keep):
        self.keep = "population" in keep
        self.parts, self.total, self.n = [], None, 0

    def add(self, chunk: xr.Dataset, years) -> None:
        if self.keep:
            self.parts.append(chunk["population"].sel(year=years))
            return
        if "population" in chunk:
            summed = chunk["population"].sum("draw", skipna=False).sel(year=years)  # summed first: a smaller copy
        else:  # enrolled as it was projected, the population summed then (forecast.engine.enrolled)
            summed = chunk["population_over_draws"]
        self.total = summed if self.total is None else self.total + summed
        self.n += chunk.sizes["draw"]

    def into(self, ds: xr.Dataset) -> xr.Dataset:
        if self.keep:
            population = xr.concat(self.parts, dim="draw") if len(self.parts) > 1 else self.parts[0]
            text = "population on 31 December of the year; age 100 is 100+"
        else:
            population = (self.total / self.n).expand_dims(draw=[0]) if self.n == 1 else self.total / self.n
            text = "population on 31 December of the year; age 100 is 100+" + (
                f"; the mean over {self.n} draws" if self.n > 1 else ""
            )
        ds["population"] = population.transpose(
            *(("draw",) if "draw" in population.dims else ()), "year", "sex", "age"
        ).assign_attrs(units="persons", description=text)
        return ds


def provenance(scenario, region, base: int, plan, costed: bool, figures: dict) -> dict:
    """A run's attrs: where it came from, how it was made, the base year it reproduces."""
    rules = plan.rules
    return {
        **scenario.provenance(region),
        "fitted_growth": plan.fits,
        "scenario_sources": list(scenario.sources),
        "region_name": region.name,
        "base_year": base,
        "extended_values": dict(plan.extended or rules.extended),
        "claim_model": (
            "claim sizes by service and hospital level: benefit rules costed"
            if costed
            else f"reduced: the bundle publishes no benefit use for {base}, "
            "so expenditure follows the calibrated totals and benefit rules are not costed"
        ),
        "verdict_labels": dict(VERDICTS),
        "verdict_thresholds": {k: float(rules.ds[f"verdict_{k}"]) for k in THRESHOLDS},
        "warning_settings": {k: float(rules.ds[f"verdict_{k}"]) for k in WARNING_SETTINGS},
        "accounting": ACCOUNTING,
        "calibration_targets": {k: v for k, v in figures.items() if np.isfinite(v)},
        **scope_and_provenance(region, base, figures),
    }


def scope_and_provenance(region, base: int, figures: dict) -> dict:
    """A run's attrs on what its fund figures cover and where they come from
    (:mod:`forecast.inputs.provenance`): each pool's scope, the label of each base-year figure it
    reproduces, and whether the bundle is an illustration (every output then says 示例)."""
    from ..inputs.provenance import base_year_provenance, employee_scope
    from ..vocabulary import POOLS

    return {
        "illustration": bool(region.illustration),
        "region_name_en": str(region.metadata.get("name_en", "")),
        "fund_scope": {pool: employee_scope(figures) if pool == "employee" else "total" for pool in POOLS},
        "base_year_provenance": base_year_provenance(region, base, figures),
    }


def conventions(rules) -> dict:
    """The run's long-run conventions in words (中文 and English), for the report and the workbook
    to name: how benefit limits continue, and how a deficit after exhaustion is financed."""
    frozen = str(rules.ds["indexation_benefit_limits"].item()) == "frozen"
    fiscal = str(rules.ds["deficits_financing"].item()) == "fiscal"
    stated = float(rules.ds["deficits_interest_rate"])
    rate = (
        f"{stated:.2%}" if np.isfinite(stated) else f"the fund's own rate ({float(rules.economy.interest_rate[0]):.2%})"
    )
    return {
        "benefit_limits": (
            "待遇限额按基期元值冻结 limits frozen at their yuan values"
            if frozen
            else "待遇限额指数化：职工随平均工资、居民随人均可支配收入（滞后一年），长护服务成本随工资 "
            "limits indexed: employees' with the average wage, residents' with per-capita disposable income "
            "(one year behind), LTCI unit costs with the wage"
        ),
        "deficits": (
            "累计结余耗尽后由财政兜底 a deficit after exhaustion is topped up by public budgets"
            if fiscal
            else f"累计结余耗尽后的赤字按债务计息 a deficit after exhaustion is carried as debt, interest at {rate}"
        ),
        "resident_financing": (
            "居民筹资标准按情景（最后公布标准之后按近三年平均增量）；另给出保持6-9个月所需标准 "
            "the scenario's standards (after the last announcement, its mean yuan increment); "
            "the standard that keeps 6-9 months is given beside them"
        ),
    }
