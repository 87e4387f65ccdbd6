"""Back-testing: re-run the whole pipeline as if it were the end of a past year.

:func:`backtest` cuts the bundle at ``train_until`` (:meth:`~forecast.inputs.region.Region.until`: fund
history, insured persons, benefit use and financing standards after it are dropped), keeps only
the scenario's dated values known then (:meth:`~forecast.scenario.parameters.DatedValue.until`), takes
the resident financing standards from the bundle's table up to the cut-off (later standards were
not yet announced; they continue by the scenario's rule, e.g. the mean increment), fits every ``fitted`` growth rate on
the history up to the cut-off, projects ``horizon`` years, and compares income and expenditure with the published
figures.

What the cut-off cannot remove: the population stage's inputs (the 2020 census, published in 2021,
and WPP 2024's schedules, whose estimates for 2020-2023 use those years' data). For cut-offs before 2023 the bulletins
at hand publish neither the employee pooled-fund/account split nor benefit use, so the employee fund is
calibrated as one account and claims are reduced to one type per pool (see
:func:`forecast.model.benefits.payers.reduced_claims`); the comparison is then on the employee fund's
total (pooled fund + accounts), as published.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..engine import project
from ..errors import InputError, Problem
from ..model.calibration.base_year import fund_base_year
from ..model.uncertainty.intervals import CALIBRATION, Z80
from ..scenario.dated import DatedValue
from ..scenario.parameters import iter_params

__all__ = ["backtest", "backtest_params", "mape_table", "coverage", "target_table", "COMPARED_SERIES", "TARGETS"]

#: (pool, account) compared with the bulletins: name -> how to read the model's figure
COMPARED_SERIES = {
    "employee total": ("employee", "total"),
    "employee pooled fund": ("employee", "pooled_fund"),
    "employee accounts": ("employee", "individual_account"),
    "resident": ("resident", "total"),
    "medical assistance": ("medical_assistance", "total"),
}
FINANCING = ("individual_contribution", "fiscal_subsidy")
COLUMNS = ["series", "item", "year", "horizon", "train_until", "forecast", "actual", "error", "lower_80", "upper_80"]


def backtest_params(params: dict, region, train_until: int) -> dict:
    """The scenario's parameters as known at the end of ``train_until``: dated values cut there,
    except a schedule a policy laid down in advance (``Param.scheduled``: the account reform's
    phase-in, announced in 2021), which was known whole."""
    scheduled = {path for path, param in iter_params() if param.scheduled}
    out = {
        k: (v.until(train_until) if isinstance(v, DatedValue) and k not in scheduled else v) for k, v in params.items()
    }
    table = region.financing
    for name in FINANCING:
        rows = table[(table["pool"] == "resident") & (table["parameter"] == name) & (table["year"] <= train_until)]
        if len(rows):
            given = params[f"policy.resident.{name}"]
            after = given.after if isinstance(given, DatedValue) else "hold"
            points = tuple((int(r["year"]), float(r["value"])) for _, r in rows.sort_values("year").iterrows())
            out[f"policy.resident.{name}"] = DatedValue(
                points, after=after if len(points) > 1 or after != "mean_increment" else "hold"
            )
    return out


def _model_value(ds, pool: str, account: str, item: str, year: int):
    """The model's figure for a compared series (a number, or an array over a run's draws)."""
    if pool == "employee" and account == "individual_account":
        return ds[f"individual_account_{item}"].sel(year=year).values
    pooled = ds[item].sel(pool=pool, year=year).values
    if pool == "employee" and account == "total":
        return pooled + ds[f"individual_account_{item}"].sel(year=year).values
    return pooled


def backtest(
    scenario, region, train_until: int, horizon: int = 3, draws: int | None = None, seed: int | None = None
) -> tuple[pd.DataFrame, object]:
    """Forecast ``train_until + 1 .. train_until + horizon`` from data up to ``train_until``.

    Returns (table, result): one row per series, item and year with forecast, actual, error
    (forecast / actual − 1) and the 80% interval (``lower_80``, ``upper_80``: the run's band,
    :mod:`forecast.model.uncertainty.intervals`, from the history up to the cut-off), and the projection Dataset.
    With ``draws``, a stochastic run from the cut-off as well: its 10th and 90th percentiles
    (``draws_p10``, ``draws_p90``), the band of :mod:`forecast.model.uncertainty.stochastic`'s drivers.
    """
    published = [
        y
        for name, (pool, account) in COMPARED_SERIES.items()
        for item in ("income", "expenditure")
        for y in region.fund(pool, item, account).dropna().index
    ]
    last = max(published, default=None)
    if last is None or last <= train_until:
        raise InputError(
            Problem(
                "--train-until",
                f"{train_until}: no published year after {train_until} to test against (the fund history of "
                f"{region.name} ends in {last})",
                f"choose a cut-off before {last}, e.g. --train-until {last - 1 if last else 2021}",
                value=train_until,
            )
        )
    cut = region.until(train_until)
    try:
        base = fund_base_year(cut)
    except InputError:
        raise InputError(
            Problem(
                region.path / "fund_history.csv",
                f"cannot back-test from {train_until}: no year up to {train_until} has the employee and resident "
                "funds' income and expenditure and the in-service count",
                "choose a later --train-until (2021 or later for data/china)",
            )
        ) from None
    if base != train_until:
        raise InputError(
            Problem(
                region.path / "fund_history.csv",
                f"cannot back-test from {train_until}: its last complete year is {base}",
                f"choose --train-until {base}, or a year whose figures are complete",
            )
        )
    params, root = (
        backtest_params(dict(scenario.params), region, train_until),
        backtest_params(dict(scenario.root_params), region, train_until),
    )
    ds = project(scenario, cut, params, root, train_until + horizon)
    drawn = project(scenario, cut, params, root, train_until + horizon, draws=draws, seed=seed) if draws else None
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
                guess = float(_model_value(ds, pool, account, item, year))
                spread = np.exp(Z80 * float(ds[f"{item}_log_sd"].sel(pool=pool, year=year)))
                row = {
                    "series": name,
                    "item": item,
                    "year": year,
                    "horizon": year - train_until,
                    "train_until": train_until,
                    "forecast": guess,
                    "actual": value,
                    "error": guess / value - 1,
                    "lower_80": guess / spread,
                    "upper_80": guess * spread,
                }
                if drawn is not None:
                    row["draws_p10"], row["draws_p90"] = np.quantile(
                        _model_value(drawn, pool, account, item, year), [0.1, 0.9]
                    )
                rows.append(row)
    table = pd.DataFrame(rows, columns=COLUMNS + (["draws_p10", "draws_p90"] if drawn is not None else []))
    table.attrs["units"] = "yuan (forecast, actual, lower_80, upper_80); ratio (error)"
    return table, ds


def coverage(table: pd.DataFrame, bounds=("lower_80", "upper_80")) -> pd.Series:
    """Share of the back-test's outcomes inside their 80% interval (``bounds``: the record's band,
    or a stochastic run's ``draws_p10``/``draws_p90``), by series and item and overall."""
    low, high = bounds
    inside = (table[low] <= table["actual"]) & (table["actual"] <= table[high])
    by = inside.groupby([table["series"], table["item"]]).mean()
    by.loc[("all", "all")] = inside.mean()
    return by


def interval_score(table: pd.DataFrame, bounds=("lower_80", "upper_80"), level: float = 0.8) -> float:
    """The mean interval (Winkler) score of the back-test's intervals relative to the forecast: the
    width, plus 2/α times any miss beyond a bound (α = 1 − level; Gneiting & Raftery 2007, JASA
    102:359-378): lower is better, and a sharper interval that still covers scores better."""
    low, high = (table[b] / table["forecast"] for b in bounds)
    actual = table["actual"] / table["forecast"]
    penalty = 2 / (1 - level)
    return float(
        ((high - low) + penalty * (low - actual).clip(lower=0) + penalty * (actual - high).clip(lower=0)).mean()
    )


def calibration_factor(table: pd.DataFrame, grid=None) -> float:
    """The factor on the intervals' log s.d. with the lowest interval score whose 80% intervals
    cover 70–90% of the back-test's outcomes (about 80% given a few dozen outcomes), for intervals
    built without it (``table``'s bounds divided by the current
    :data:`~forecast.model.uncertainty.intervals.CALIBRATION`)."""
    z = Z80
    sd = np.log(table["upper_80"] / table["forecast"]) / (z * CALIBRATION)
    best = None
    for factor in np.round(np.arange(0.3, 1.501, 0.05), 2) if grid is None else grid:
        trial = table.assign(
            lower_80=table["forecast"] * np.exp(-z * factor * sd), upper_80=table["forecast"] * np.exp(z * factor * sd)
        )
        share, score = coverage(trial)[("all", "all")], interval_score(trial)
        if 0.7 <= share <= 0.9 and (best is None or score < best[1] - 1e-12):
            best = (float(factor), score)
    return best[0] if best else 1.0


def mape_table(table: pd.DataFrame) -> pd.DataFrame:
    """Mean absolute percentage error by series, item and horizon (and overall)."""
    t = table.assign(abs_error=table["error"].abs())
    by = t.groupby(["series", "item", "horizon"])["abs_error"].mean().unstack("horizon")
    by["all horizons"] = t.groupby(["series", "item"])["abs_error"].mean()
    return by


#: the issue-12 targets: (name, series rows, item, largest MAPE allowed)
TARGETS = (
    ("employee income", ("employee pooled fund", "employee total"), "income", 0.03),
    ("employee expenditure", ("employee pooled fund", "employee total"), "expenditure", 0.03),
    ("resident income", ("resident",), "income", 0.03),
    ("resident expenditure", ("resident",), "expenditure", 0.03),
    ("medical assistance expenditure", ("medical assistance",), "expenditure", 0.05),
)


def target_table(table: pd.DataFrame) -> pd.DataFrame:
    """MAPE over all cut-offs and horizons against the targets: the employee fund is compared as its
    pooled fund where the cut-off year publishes the split, else as the total (pooled + accounts)."""
    rows = []
    for name, series, item, limit in TARGETS:
        picked = []
        for _, group in table[(table["item"] == item) & table["series"].isin(series)].groupby("train_until"):
            first = next(s for s in series if (group["series"] == s).any())
            picked.append(group[group["series"] == first])
        errors = pd.concat(picked)["error"].abs() if picked else pd.Series(dtype=float)
        rows.append(
            {
                "target": name,
                "forecasts": len(errors),
                "mape": errors.mean(),
                "limit": limit,
                "met": bool(errors.mean() <= limit) if len(errors) else False,
            }
        )
    return pd.DataFrame(rows).set_index("target")
