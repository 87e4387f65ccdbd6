"""The budget form's other tables: the employee individual accounts (个人账户) with the employee
fund's total, and each pool's basic data (基本数据: insured persons by status, the contribution base
and rates, financing standards, benefit use).

The 财政 social-insurance fund budget form puts the 统筹基金 and the 个人账户 on separate lines and
a 基本数据 table beside the 收支 table. :func:`account_table` gives the accounts and the total in
the columns of the 收支 table (万元), so that 统筹基金 + 个人账户 = 合计 to the cent as shown, and
:func:`basic_table` the basic data in their own units, each row with its provenance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .budget_layout import WAN

__all__ = ["account_table", "basic_table", "ACCOUNT_LINES"]

#: the accounts' lines: (key, flow, label)
ACCOUNT_LINES = (
    ("ia_income", "income", "个人账户收入"),
    ("ia_expenditure", "expenditure", "个人账户支出"),
    ("ia_balance", "balance", "个人账户本年收支结余"),
    ("ia_reserve", "reserve", "个人账户年末滚存结余"),
    ("total_income", "income", "职工医保基金收入合计（统筹基金＋个人账户）"),
    ("total_expenditure", "expenditure", "职工医保基金支出合计（统筹基金＋个人账户）"),
    ("total_balance", "balance", "职工医保基金本年收支结余（合计）"),
    ("total_reserve", "reserve", "职工医保基金年末滚存结余（合计）"),
)
YEAR_COLUMNS = ("final", "previous", "budget")


def _accounts_in(ds, region, year: int) -> dict[str, float]:
    """The individual accounts' income, expenditure, balance and reserve of ``year`` (万元): the
    run's, or before the run the bundle's published figures."""
    if year >= int(ds.attrs["base_year"]):
        flows = {
            flow: float(ds[f"individual_account_{flow}"].sel(year=year))
            for flow in ("income", "expenditure", "reserve")
        }
    elif region is not None:
        flows = {
            flow: float(region.fund("employee", flow, "individual_account").get(year, np.nan))
            for flow in ("income", "expenditure", "reserve")
        }
    else:
        flows = dict.fromkeys(("income", "expenditure", "reserve"), np.nan)
    shown = {flow: round(value / WAN, 2) for flow, value in flows.items()}
    shown["balance"] = round(shown["income"] - shown["expenditure"], 2)
    return shown


def account_table(ds, employee: pd.DataFrame, region=None, approved: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """The individual accounts and the employee fund's total (统筹基金 + 个人账户) in the columns
    上年决算, 本年预计执行数, 下年预算数 (万元), with 增减额 and 增减%; None where the run's employee
    figures are already the total (the bundle does not split the accounts)."""
    from ..results.provenance import pool_scope

    if pool_scope(ds, "employee") != "pooled_fund" or "individual_account_income" not in ds:
        return None
    year = int(employee.attrs["year"])
    pooled = employee.set_index("key")
    rows = []
    for column, at in zip(YEAR_COLUMNS, (year - 2, year - 1, year)):
        accounts = _accounts_in(ds, region, at)
        for key, flow, _ in ACCOUNT_LINES:
            value = (
                accounts[flow] if key.startswith("ia_") else round(float(pooled.loc[flow, column]) + accounts[flow], 2)
            )
            rows.append({"key": key, "column": column, "value": value})
    frame = (
        pd.DataFrame(rows)
        .pivot(index="key", columns="column", values="value")
        .reindex([k for k, _, _ in ACCOUNT_LINES])[list(YEAR_COLUMNS)]
    )
    frame.insert(0, "label", [label for _, _, label in ACCOUNT_LINES])
    frame.insert(2, "previous_budget", [_approved(approved, key, flow) for key, flow, _ in ACCOUNT_LINES])
    frame["change"] = (frame["budget"] - frame["previous"]).round(2)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["change_share"] = np.where(frame["previous"] != 0, frame["change"] / frame["previous"].abs(), np.nan)
    frame.attrs = {"year": year}
    return frame.reset_index()


def _approved(approved, key: str, flow: str) -> float:
    """The approved budget's amount for an accounts line (万元), NaN where it gives none."""
    if approved is None or "scope" not in approved.columns:
        return np.nan
    scope = "individual_account" if key.startswith("ia_") else "total"
    rows = approved[(approved["pool"] == "employee") & (approved["scope"] == scope) & (approved["key"] == flow)]
    return round(float(rows["amount"].iloc[0]) / WAN, 2) if len(rows) else np.nan


def _rule(rules, name: str, year: int) -> float:
    if rules is None or name not in rules.ds or year not in rules.ds["year"].values:
        return np.nan
    value = rules.ds[name].sel(year=year)
    return float(value.isel({d: 0 for d in value.dims}) if value.dims else value)


def _contribution_base(ds, rules, year: int) -> float:
    """The base-year contribution base per in-service member (calibrated to the bulletin's income)
    grown with the scenario's wage growth (元/人·年)."""
    base = int(ds.attrs["base_year"])
    start = (ds.attrs.get("calibration") or {}).get("contribution_base")
    if not isinstance(start, (int, float)) or year < base:
        return np.nan
    growth = [_rule(rules, "economy_wage_growth", y) for y in range(base + 1, year + 1)]
    return float(start * np.prod([1 + g for g in growth])) if all(np.isfinite(growth)) else np.nan


def _basic_rows(pool: str) -> list[tuple]:
    """(label, unit, source, kind): kind 'status:S' (insured by status), 'insured', 'rule:NAME',
    'base', 'use:NAME' or 'beneficiaries'."""
    use = [
        ("住院人次", "万人次", "use:admissions"),
        ("普通门诊人次", "万人次", "use:outpatient_visits"),
        ("门诊慢特病人次", "万人次", "use:special_disease_visits"),
    ]
    if pool == "employee":
        return [
            ("参保人数", "万人", "insured"),
            ("  在职职工", "万人", "status:in_service"),
            ("  灵活就业人员", "万人", "status:flexible"),
            ("  退休人员", "万人", "status:retired"),
            ("在职职工人均缴费基数", "元/人·年", "base"),
            ("单位缴费率", "%", "rule:employee_employer_rate"),
            ("个人缴费率", "%", "rule:employee_employee_rate"),
            *use,
        ]
    if pool == "resident":
        return [
            ("参保人数", "万人", "insured"),
            ("个人缴费标准", "元/人·年", "rule:resident_individual_contribution"),
            ("人均财政补助标准", "元/人·年", "rule:resident_fiscal_subsidy"),
            *use,
        ]
    if pool == "ltci":
        return [
            ("参保人数", "万人", "insured"),
            ("待遇享受人数", "万人", "beneficiaries"),
            ("人均筹资标准", "元/人·年", "rule:ltci_financing_per_capita"),
        ]
    if pool == "critical_illness":
        return [("覆盖人数（城乡居民参保人数）", "万人", "status:resident")]
    return []


def _basic_value(ds, rules, region, pool: str, kind: str, year: int) -> tuple[float, str]:
    """One basic figure of ``year`` in its table unit, with its provenance label."""
    from ..inputs.provenance import insured_provenance
    from ..results.provenance import is_example, projected

    base = int(ds.attrs["base_year"])
    example = "example" if is_example(ds) else None
    if kind.startswith("rule:"):
        value = _rule(rules, kind[5:], year)
        return (value * 100 if kind.endswith("_rate") else value), example or "assumed"
    if kind == "base":
        return _contribution_base(ds, rules, year), projected(ds)
    if year < base:  # before the run: the bundle's counts
        status = kind.split(":")[1] if kind.startswith("status:") else "all"
        owner = "resident" if status == "resident" else pool
        status = "all" if status == "resident" else status
        if region is None or year not in region.insured["year"].values or not kind.startswith(("status:", "insured")):
            return np.nan, ""
        return float(region.insured.sel(year=year, pool=owner, status=status)) / 1e4, insured_provenance(
            region, owner, status, year
        ) or ""
    label = projected(ds)
    if kind == "insured":
        return float(ds["insured"].sel(pool=pool, year=year)) / 1e4, label
    if kind.startswith("status:"):
        return float(ds["insured_by_status"].sel(status=kind[7:], year=year)) / 1e4, label
    if kind == "beneficiaries":
        return (float(ds["ltci_beneficiaries"].sel(year=year)) / 1e4 if "ltci_beneficiaries" in ds else np.nan), label
    name = kind[4:]
    return (
        float(ds[name].sel(pool=pool, year=year)) / 1e4 if name in ds and pool in ds[name]["pool"].values else np.nan
    ), label


def basic_table(ds, rules, pool: str, year: int, region=None) -> pd.DataFrame:
    """基本数据 of ``pool`` in the columns 上年决算, 本年预计执行数, 下年预算数 (each row in its own
    unit), 增减%, and each row's provenance (the budget year's). Rows all zero (a pool with no
    flexible workers, no benefit use) are left out."""
    from ..results.provenance import PROVENANCE_ZH

    rows = []
    for label, unit, kind in _basic_rows(pool):
        values = {
            column: _basic_value(ds, rules, region, pool, kind, at)
            for column, at in zip(YEAR_COLUMNS, (year - 2, year - 1, year))
        }
        numbers = {column: v for column, (v, _) in values.items()}
        if not any(np.isfinite(v) and v != 0 for v in numbers.values()):
            continue
        sources = "；".join(dict.fromkeys(PROVENANCE_ZH.get(s, "") for _, s in values.values() if s))
        with np.errstate(divide="ignore", invalid="ignore"):
            share = (
                (numbers["budget"] - numbers["previous"]) / abs(numbers["previous"]) if numbers["previous"] else np.nan
            )
        rows.append({"label": f"{label}（{unit}）", "unit": unit, **numbers, "change_share": share, "source": sources})
    return pd.DataFrame(rows, columns=["label", "unit", *YEAR_COLUMNS, "change_share", "source"])
