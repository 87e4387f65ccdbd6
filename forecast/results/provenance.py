"""What a run's figures cover and where they come from, as every output shows it.

The labels are :mod:`forecast.inputs.provenance`'s (公布 published, 推算 derived, 假设 assumed,
示例 example; 统筹基金, 个人账户, 合计); the run records them in its attrs (``fund_scope``,
``base_year_provenance``, ``illustration``). A base-year figure carries the label of the bundle's
figure it reproduces; a projected year is derived by the model (推算), and in an illustration
bundle everything not published is an example (示例), so are its projections.

>>> PROVENANCE_ZH["derived"], scope_zh("pooled_fund")
('推算', '统筹基金')
"""

from __future__ import annotations

from ..inputs.provenance import PROVENANCE, SCOPES

__all__ = [
    "PROVENANCE_ZH",
    "scope_zh",
    "is_example",
    "place",
    "example_mark",
    "figure_provenance",
    "pool_scope",
    "BASE_FIGURES",
    "projected",
]

PROVENANCE_ZH = {key: zh for key, (zh, _) in PROVENANCE.items()}

#: (pool, flow) -> the base-year figure of the calibration that it reproduces
BASE_FIGURES = {
    ("employee", "income"): "employee_pooled_income",
    ("employee", "expenditure"): "employee_pooled_expenditure",
    ("employee", "reserve"): "employee_pooled_reserve",
    ("individual_account", "income"): "individual_account_income",
    ("individual_account", "expenditure"): "individual_account_expenditure",
    ("individual_account", "reserve"): "individual_account_reserve",
    ("resident", "income"): "resident_income",
    ("resident", "expenditure"): "resident_expenditure",
    ("resident", "reserve"): "resident_reserve",
    ("medical_assistance", "expenditure"): "assistance_expenditure",
    ("ltci", "income"): "ltci_income",
    ("ltci", "expenditure"): "ltci_expenditure",
}


def scope_zh(scope: str) -> str:
    return SCOPES[scope][0]


def is_example(ds) -> bool:
    """True when the run's bundle is an illustration (``illustration: true``): every output says 示例."""
    return bool(ds.attrs.get("illustration", False))


def example_mark(ds) -> str:
    """ "（示例）" for a run on an illustration bundle, else ""."""
    return "（示例）" if is_example(ds) else ""


def place(ds) -> str:
    """The run's region as outputs name it: with （示例） for an illustration (once, even where the
    bundle's own name already says so)."""
    name = str(ds.attrs.get("region_name", ""))
    return name if not is_example(ds) or "示例" in name else f"{name}（示例）"


def projected(ds) -> str:
    """The label of a projected figure: derived by the model, an example on an illustration bundle."""
    return "example" if is_example(ds) else "derived"


def figure_provenance(ds, pool: str, flow: str, year: int) -> str:
    """The label of a run's fund figure (``pool`` may be ``individual_account``): the base year's
    from the bundle figure it reproduces (derived where the bundle gives none: the model's split), a
    later year's :func:`projected`."""
    if int(year) != int(ds.attrs["base_year"]):
        return projected(ds)
    key = BASE_FIGURES.get((pool, flow))
    return (ds.attrs.get("base_year_provenance") or {}).get(key) or projected(ds)


def pool_scope(ds, pool: str) -> str:
    """The scope of ``pool``'s figures in the run (the employee pool: pooled fund or total)."""
    return (ds.attrs.get("fund_scope") or {}).get(pool, "total")
