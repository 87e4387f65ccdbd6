"""The scope of an approved budget and of year-to-date actuals (统筹基金, 个人账户, 合计), and the one
rule that converts between them.

A bureau budgets the employee 统筹基金 and 个人账户 on separate lines; an execution report may give
either, or their 合计. Comparing figures on different scopes is the mistake that reads as a 145%
execution rate. :func:`align_scopes` therefore compares like with like: the same scope as it is;
统筹基金 and 个人账户 given together converted to 合计 by adding them (合计 = 统筹基金 + 个人账户, the
only conversion that needs no assumption); anything else refused with a message saying what to give.

>>> scope_of("employee", ""), scope_of("employee", "合计"), scope_of("resident", "")
('pooled_fund', 'total', 'total')
"""

from __future__ import annotations

import pandas as pd

from ..errors import InputError, Problem
from ..inputs.provenance import SCOPES

__all__ = ["SCOPE_WORDS", "scope_of", "default_scope", "align_scopes", "align_to_run", "CONVERSION_RULE"]

#: every word a file may use for a scope -> the scope
SCOPE_WORDS: dict[str, str] = {
    **{key: key for key in SCOPES},
    **{zh: key for key, (zh, _) in SCOPES.items()},
    "统筹": "pooled_fund",
    "个账": "individual_account",
}
CONVERSION_RULE = "合计 = 统筹基金 + 个人账户"


def default_scope(pool: str) -> str:
    """A row that names no scope: the employee pool's pooled fund, any other pool's total."""
    return "pooled_fund" if pool == "employee" else "total"


def scope_of(pool: str, text: str) -> str | None:
    """The scope a row names (its default when blank); None for an unknown word, or an employee-only
    scope on another pool."""
    text = str(text or "").strip()
    if not text:
        return default_scope(pool)
    scope = SCOPE_WORDS.get(text)
    if scope is None or (pool != "employee" and scope != "total"):
        return None
    return scope


def _names(scopes) -> str:
    return "、".join(SCOPES[s][0] for s in sorted(scopes))


def _summed(frame: pd.DataFrame, value_columns, keys) -> pd.DataFrame:
    """Pooled-fund and account rows added into total rows (keys in common)."""
    parts = frame[frame["scope"].isin(("pooled_fund", "individual_account"))]
    total = parts.groupby(keys, as_index=False)[list(value_columns)].sum()
    counts = parts.groupby(keys).size()
    total = total[total.set_index(keys).index.isin(counts[counts == 2].index)]
    return total.assign(scope="total")


def _preferred(pool: str, scopes: set) -> str:
    """The pool's default scope if among ``scopes``, else the first of them by name."""
    return default_scope(pool) if default_scope(pool) in scopes else sorted(scopes)[0]


def align_scopes(
    actuals: pd.DataFrame, approved: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.DataFrame | None, list[str]]:
    """The actuals and the approved budget on one scope per pool, and a note for each conversion.

    Without an approved budget a pool keeps its default scope's rows if it gives several. With one:
    the scope both give; or 统筹基金 and 个人账户 on one side and 合计 on the other, added to 合计; any
    other pair is refused (an InputError naming both files and what to give)."""
    notes, keep_actuals, keep_approved = [], [], []
    for pool, rows in actuals.groupby("pool", sort=False):
        given = set(rows["scope"])
        if approved is None:
            scope = _preferred(pool, given)
            if len(given) > 1:
                notes.append(f"口径：{pool} 的执行数有{_names(given)}，按{SCOPES[scope][0]}分析")
            keep_actuals.append(rows[rows["scope"] == scope])
            continue
        budget = approved[(approved["pool"] == pool) & approved["key"].isin(("income", "expenditure"))]
        budgeted = set(budget["scope"])
        common = given & budgeted
        if not budgeted:  # no line of this pool: execution_rates names the line to add
            scope = _preferred(pool, given)
            keep_actuals.append(rows[rows["scope"] == scope])
        elif common:
            scope = _preferred(pool, common)
            keep_actuals.append(rows[rows["scope"] == scope])
            keep_approved.append(approved[(approved["pool"] == pool) & (approved["scope"] == scope)])
        elif {"pooled_fund", "individual_account"} <= given and "total" in budgeted:
            keep_actuals.append(_summed(rows, ("income", "expenditure"), ["pool", "month"]))
            keep_approved.append(approved[(approved["pool"] == pool) & (approved["scope"] == "total")])
            notes.append(
                f"口径换算：{pool} 的执行数为统筹基金和个人账户，批复预算为合计：执行数按 {CONVERSION_RULE} "
                "换算为合计后比较"
            )
        elif given == {"total"} and {"pooled_fund", "individual_account"} <= budgeted:
            keep_actuals.append(rows)
            keep_approved.append(_summed(approved[approved["pool"] == pool], ("amount",), ["pool", "key"]))
            notes.append(
                f"口径换算：{pool} 的批复预算为统筹基金和个人账户，执行数为合计：批复预算按 {CONVERSION_RULE} "
                "换算为合计后比较"
            )
        else:
            raise InputError(
                Problem(
                    approved.attrs.get("source", "the approved budget"),
                    f"the approved budget of {pool} is on {_names(budgeted)} and the actuals "
                    f"({actuals.attrs.get('source', '')}) on {_names(given)}: figures on different scopes cannot be "
                    "compared, and converting between them would need an assumption",
                    f"give the actuals on the budget's scope (a scope column: {_names(budgeted)}), or both 统筹基金 "
                    f"and 个人账户 so that {CONVERSION_RULE}",
                )
            )
    aligned = pd.concat(keep_actuals, ignore_index=True)
    aligned.attrs = dict(actuals.attrs)
    if approved is None:
        return aligned, None, notes
    others = approved[~approved["pool"].isin(actuals["pool"])]
    budget = pd.concat([*keep_approved, others], ignore_index=True)
    budget.attrs = dict(approved.attrs)
    return aligned, budget, notes


def align_to_run(actuals: pd.DataFrame, ds) -> tuple[pd.DataFrame, list[str]]:
    """Year-to-date actuals on the run's scope for each pool (``forecast budget --execution``): as
    given, or 统筹基金 + 个人账户 added when the run's employee figures are the total; refused otherwise."""
    from ..results.provenance import pool_scope

    run_scope = pd.DataFrame(
        [
            {"pool": pool, "key": key, "amount": 0.0, "scope": pool_scope(ds, pool)}
            for pool in set(actuals["pool"])
            for key in ("income", "expenditure")
        ]
    )
    run_scope.attrs["source"] = (
        f"the run's bundle ({ds.attrs.get('region_name', '')}: employee {SCOPES[pool_scope(ds, 'employee')][0]})"
    )
    aligned, _, notes = align_scopes(actuals, run_scope)
    return aligned, notes
