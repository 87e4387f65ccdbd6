"""Back-testing: re-run the whole pipeline as if it were the end of a past year.

:func:`backtest` cuts the bundle at ``train_until`` (:meth:`~forecast.inputs.region.Region.until`: fund
history, insured persons, benefit use and financing standards after it are dropped), keeps only
the scenario's dated values known then (:meth:`~forecast.scenario.parameters.DatedValue.until`), takes
the resident financing standard from the bundle's table at the cut-off (later standards were not
yet announced), fits every ``fitted`` growth rate on the history up to the cut-off, projects
``horizon`` years, and compares income and expenditure with the published figures.

What the cut-off cannot remove: the population stage's inputs (the 2020 census and WPP 2022's
schedules, published in 2021 and 2022). For cut-offs before 2023 the bulletins at hand publish
neither the employee pooled-fund/account split nor benefit use, so the employee fund is
calibrated as one account and claims are reduced to one type per pool (see
:func:`forecast.model.calibration.reduced_claim_model`); the comparison is then on the employee fund's
total (pooled fund + accounts), as published.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..scenario.dated import DatedValue

__all__ = ["backtest", "backtest_params", "mape_table", "COMPARED_SERIES"]

#: (pool, account) compared with the bulletins: name -> how to read the model's figure
COMPARED_SERIES = {
    "employee total": ("employee", "total"),
    "employee pooled fund": ("employee", "pooled_fund"),
    "employee accounts": ("employee", "individual_account"),
    "resident": ("resident", "total"),
}
FINANCING = ("individual_contribution", "fiscal_subsidy")


def backtest_params(params: dict, region, train_until: int) -> dict:
    """The scenario's parameters as known at the end of ``train_until``."""
    out = {k: (v.until(train_until) if isinstance(v, DatedValue) else v) for k, v in params.items()}
    table = region.financing
    for name in FINANCING:
        rows = table[(table["pool"] == "resident") & (table["parameter"] == name) & (table["year"] <= train_until)]
        if len(rows):
            last = rows.sort_values("year").iloc[-1]
            after = params[f"policy.resident.{name}"].after if isinstance(params[f"policy.resident.{name}"], DatedValue) else "hold"
            out[f"policy.resident.{name}"] = DatedValue(((int(last["year"]), float(last["value"])),), after=after)
    return out


def _model_value(ds, pool: str, account: str, item: str, year: int) -> float:
    if pool == "employee" and account == "individual_account":
        return float(ds[f"individual_account_{item}"].sel(year=year))
    pooled = float(ds[item].sel(pool=pool, year=year))
    if pool == "employee" and account == "total":
        return pooled + float(ds[f"individual_account_{item}"].sel(year=year))
    return pooled


def backtest(scenario, region, train_until: int, horizon: int = 3) -> tuple[pd.DataFrame, object]:
    """Forecast ``train_until + 1 .. train_until + horizon`` from data up to ``train_until``.

    Returns (table, result): one row per series, item and year with forecast, actual and error
    (forecast / actual − 1), and the projection Dataset.
    """
    from ..engine import project
    from ..model.base_year import fund_base_year

    published = [y for name, (pool, account) in COMPARED_SERIES.items() for item in ("income", "expenditure") for y in region.fund(pool, item, account).dropna().index]
    last = max(published, default=None)
    if last is None or last <= train_until:
        raise InputError(Problem("--train-until", f"{train_until}: no published year after {train_until} to test against (the fund history of {region.name} ends in {last})", f"choose a cut-off before {last}, e.g. --train-until {last - 1 if last else 2021}", value=train_until))
    cut = region.until(train_until)
    try:
        base = fund_base_year(cut)
    except InputError:
        raise InputError(Problem(region.path / "fund_history.csv", f"cannot back-test from {train_until}: no year up to {train_until} has the employee and resident funds' income and expenditure and the in-service count", "choose a later --train-until (2021 or later for data/china)")) from None
    if base != train_until:
        raise InputError(Problem(region.path / "fund_history.csv", f"cannot back-test from {train_until}: its last complete year is {base}", f"choose --train-until {base}, or a year whose figures are complete"))
    ds = project(scenario, cut, backtest_params(dict(scenario.params), region, train_until), backtest_params(dict(scenario.root_params), region, train_until), train_until + horizon)
    rows = []
    folded = bool(ds.attrs["calibration_targets"].get("accounts_folded", 0.0))
    for name, (pool, account) in COMPARED_SERIES.items():
        if folded and account != "total" and pool == "employee":
            continue
        for item in ("income", "expenditure"):
            actual = region.fund(pool, item, account)
            for year in range(train_until + 1, train_until + horizon + 1):
                value = float(actual.get(year, np.nan))
                if not np.isfinite(value):
                    continue
                guess = _model_value(ds, pool, account, item, year)
                rows.append({"series": name, "item": item, "year": year, "horizon": year - train_until, "train_until": train_until, "forecast": guess, "actual": value, "error": guess / value - 1})
    table = pd.DataFrame(rows, columns=["series", "item", "year", "horizon", "train_until", "forecast", "actual", "error"])
    table.attrs["units"] = "yuan (forecast, actual); ratio (error)"
    return table, ds


def mape_table(table: pd.DataFrame) -> pd.DataFrame:
    """Mean absolute percentage error by series, item and horizon (and overall)."""
    t = table.assign(abs_error=table["error"].abs())
    by = t.groupby(["series", "item", "horizon"])["abs_error"].mean().unstack("horizon")
    by["all horizons"] = t.groupby(["series", "item"])["abs_error"].mean()
    return by
