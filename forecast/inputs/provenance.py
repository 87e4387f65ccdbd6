"""Where a figure comes from and what it covers: the one place the bundles' ``report_type`` columns
map onto four labels, and a fund figure's scope onto three.

Provenance (every figure a command shows carries one):

- ``published`` 公布: read from an official publication as published (a bulletin, a quick report,
  the 医保数智库 series, a bureau's own report, the bureau's figure as its bundle gives it);
- ``derived`` 推算: derived by a named method (a national per-capita figure scaled to a place, a
  partial year annualised by the seasonal profile, a projection of the model), the method in the
  row's ``note``;
- ``assumed`` 假设: set by assumption, not read or derived (a budget line the model does not
  project, shown as 0; a scenario's assumption);
- ``example`` 示例: in an illustration bundle (``illustration: true`` in region.yaml), every
  figure that is not the place's own published one: a placeholder for the example, not an estimate
  to rely on.

Scope of a fund figure: ``pooled_fund`` 统筹基金, ``individual_account`` 个人账户, ``total`` 合计
(both). The employee pool's figures are its pooled fund where the bundle publishes the split, else
the total (the calibration then folds the accounts into the pool: their income is shown as 0).

>>> provenance_of("bulletin_final", illustration=False), provenance_of("derived", illustration=False)
('published', 'derived')
>>> provenance_of("derived", illustration=True), PROVENANCE["example"]
('example', ('示例', 'example'))
"""

from __future__ import annotations

import numpy as np

from ..memo import Memo

__all__ = [
    "PROVENANCE",
    "SCOPES",
    "REPORT_TYPES",
    "provenance_of",
    "fund_figure_provenance",
    "insured_provenance",
    "base_year_provenance",
    "employee_scope",
    "FIGURE_ROWS",
]

#: label -> (中文, English)
PROVENANCE: dict[str, tuple[str, str]] = {
    "published": ("公布", "published"),
    "derived": ("推算", "derived"),
    "assumed": ("假设", "assumed"),
    "example": ("示例", "example"),
}

#: scope -> (中文, English)
SCOPES: dict[str, tuple[str, str]] = {
    "pooled_fund": ("统筹基金", "pooled fund"),
    "individual_account": ("个人账户", "individual accounts"),
    "total": ("合计", "pooled fund and accounts"),
}

#: a bundle row's report_type -> its provenance (an unknown type is a derivation: it names no publication)
REPORT_TYPES: dict[str, str] = {
    "bulletin_final": "published",
    "quick_report_preliminary": "published",
    "shuzhiku_series": "published",
    "local_report": "published",
    "derived": "derived",
    "annualised": "derived",
    "borrowed": "derived",
    "not_available": "derived",
}


def provenance_of(report_type, illustration: bool) -> str:
    """The label of a bundle row from its ``report_type`` (a row without one is the bundle's own
    figure as given: published); in an illustration bundle anything not published is an example."""
    text = (
        ""
        if report_type is None or (isinstance(report_type, float) and np.isnan(report_type))
        else str(report_type).strip()
    )
    kind = REPORT_TYPES.get(text, "derived") if text else "published"
    return "example" if illustration and kind != "published" else kind


def _label(region, table: str, keys: tuple[str, ...], key: tuple) -> str | None:
    """The label of the first row of ``table`` whose ``keys`` are ``key`` (None when there is none)."""
    rows = _first_report_types(region, table, keys)
    return provenance_of(rows[key], region.illustration) if key in rows else None


def _first_report_types(region, table: str, keys: tuple[str, ...]) -> dict:
    """``keys`` -> the report_type of the first row of ``table`` with them (None without the column),
    the fund history's full years only; indexed once per Region (a Region is read-only)."""
    index = region.__dict__.setdefault("_report_types", {})
    if table not in index:
        df = getattr(region, table)
        full = df["months"].eq(12).tolist() if "months" in df.columns else [True] * len(df)
        types = df["report_type"].tolist() if "report_type" in df.columns else [None] * len(df)
        rows: dict = {}
        for keep, report_type, *key in zip(full, types, *(df[k].tolist() for k in keys)):
            if keep:
                rows.setdefault(tuple(key), report_type)
        index[table] = rows
    return index[table]


def fund_figure_provenance(region, pool: str, item: str, account: str, year: int) -> str | None:
    """The label of a full-year fund figure of the bundle (None when the bundle has no such row)."""
    return _label(region, "fund_history", ("year", "pool", "item", "account"), (year, pool, item, account))


def insured_provenance(region, pool: str, status: str, year: int) -> str | None:
    """The label of an insured count of the bundle (None when it has no such row)."""
    if region.insured_table is None:
        return None
    return _label(region, "insured_table", ("year", "pool", "status"), (year, pool, status))


def employee_scope(figures: dict) -> str:
    """The scope of the employee pool's figures in a run calibrated to ``figures``
    (:func:`forecast.model.calibration.base_year.base_year_figures`): the pooled fund, or the total
    where the bundle does not split the accounts out."""
    return "total" if figures.get("accounts_folded") else "pooled_fund"


#: the base-year figure a run reproduces -> where the bundle holds it: ("fund", pool, item, account
#: or None for the employee scope, year offset) or ("insured", pool, status)
FIGURE_ROWS: dict[str, tuple] = {
    "in_service": ("insured", "employee", "in_service"),
    "retired": ("insured", "employee", "retired"),
    "residents": ("insured", "resident", "all"),
    "employee_pooled_income": ("fund", "employee", "income", None, 0),
    "employee_pooled_expenditure": ("fund", "employee", "expenditure", None, 0),
    "employee_pooled_reserve": ("fund", "employee", "reserve", None, 0),
    "individual_account_income": ("fund", "employee", "income", "individual_account", 0),
    "individual_account_expenditure": ("fund", "employee", "expenditure", "individual_account", 0),
    "individual_account_reserve": ("fund", "employee", "reserve", "individual_account", 0),
    "resident_income": ("fund", "resident", "income", "total", 0),
    "resident_expenditure": ("fund", "resident", "expenditure", "total", 0),
    "resident_reserve": ("fund", "resident", "reserve", "total", 0),
    "assistance_expenditure": ("fund", "medical_assistance", "expenditure", "total", 0),
    "ltci_income": ("fund", "ltci", "income", "total", 0),
    "ltci_expenditure": ("fund", "ltci", "expenditure", "total", 0),
}


def base_year_provenance(region, year: int, figures: dict) -> dict[str, str]:
    """The label of each base-year figure a run reproduces (:data:`FIGURE_ROWS`), where the bundle
    has it; the employee pool's from its pooled fund or, folded, its total. Remembered per bundle
    content (sensitivity and the solvers finish many runs on one bundle)."""
    scope = employee_scope(figures)
    if not region.content_hash:  # a Region made in memory: nothing to name it by
        return _base_year_provenance(region, year, scope)
    return dict(_PROVENANCE.get((region.content_hash, year, scope), lambda: _base_year_provenance(region, year, scope)))


#: base-year provenance by bundle content, year and employee scope (bounded: a batch reads many bundles)
_PROVENANCE = Memo(8)


def _base_year_provenance(region, year: int, scope: str) -> dict[str, str]:
    out = {}
    for key, where in FIGURE_ROWS.items():
        if where[0] == "insured":
            label = insured_provenance(region, where[1], where[2], year)
        else:
            _, pool, item, account, offset = where
            label = fund_figure_provenance(region, pool, item, account or scope, year + offset)
        if label is not None:
            out[key] = label
    return out
