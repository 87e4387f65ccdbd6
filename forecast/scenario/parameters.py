"""The scenario parameter schema: every key a scenario may set, with its unit, range and meaning.

Each leaf is a :class:`Param`. Values in files are either a scalar or *dated values*: a
mapping year -> value, or the long form::

    fiscal_subsidy:
      values: {2024: 670, 2030: 850}
      between: linear          # step (default): a value holds until the next given year
      after: wage_growth       # hold (default) | wage_growth | price_inflation | disposable_income_growth

Dated values are :class:`~forecast.scenario.dated.DatedValue`; :mod:`forecast.scenario.rules`
resolves every parameter over the projection years into one labelled Dataset.

Each leaf's declaration and the reading of values are in :mod:`forecast.scenario.param`. Units come
from the closed list of :mod:`forecast.units`. In files a ratio may be written
``0.65`` or ``"65%"``; money may be written ``2000``, ``"2000元"``, ``"20万"`` or ``"20万元"``
(万 = 10,000 exactly), and budgets also ``"800亿"`` (亿 = 1e8 is refused for benefit parameters,
where no value is that large and a slip would go unnoticed).
"""

from __future__ import annotations

from ..registry import ITEM_ENTRIES
from .param import MONEY_UNITS, Param, coerce  # re-exported: the schema's public names
from .param import param as _p
from .schema_assumptions import ASSUMPTIONS
from .schema_policy import POLICY

__all__ = ["Param", "SCHEMA", "FITTED_YEARS", "MONEY_UNITS", "coerce", "iter_params"]

#: a fitted path ('fitted' growth, coverage) is written out year by year this far past the base
#: year (a damped trend has faded long before), then held
FITTED_YEARS = 60


#: The schema tree (the assumptions in :mod:`forecast.scenario.schema_assumptions`, the policy in
#: :mod:`forecast.scenario.schema_policy`). ``assumptions.demography`` is validated by
#: :mod:`forecast.scenario` itself (it predates this table and has structured values such as age bands).
SCHEMA: dict = {
    "horizon": _p("year", "the last projected year", 2021, 2300, dated=False, default=2060),
    "assumptions": ASSUMPTIONS,
    "policy": POLICY,
    "verdict": {
        "critical_months": _p(
            "months",
            "below this many months of expenditure the reserve is 结余短缺 (critical)",
            0,
            60,
            dated=False,
            default=3.0,
        ),
        "low_months": _p(
            "months",
            "below this the reserve is 结余不足 (low); 人社部发〔2009〕67号 6 months",
            0,
            60,
            dated=False,
            default=6.0,
        ),
        "high_months": _p(
            "months",
            "above this the reserve is 结余偏多 (high); 人社部发〔2009〕67号 9 months",
            0,
            60,
            dated=False,
            default=9.0,
        ),
        "excess_months": _p(
            "months",
            "above this the reserve is 结余过多 (excessive); 人社部发〔2009〕67号 15 months",
            0,
            120,
            dated=False,
            default=15.0,
        ),
        "warning_deficit_years": _p(
            "year",
            "风险预警 orange: a current deficit this many years running (assumption: two budget years)",
            1,
            10,
            dated=False,
            default=2,
        ),
        "warning_trend_years": _p(
            "year",
            "风险预警 yellow: the current surplus rate falling this many years running ... (assumption)",
            1,
            10,
            dated=False,
            default=3,
        ),
        "warning_surplus_rate": _p(
            "ratio",
            "... and below this share of the year's income (assumption: 3%; the resident fund's ran 1.1-10.4% in "
            "2020-2024)",
            0.0,
            0.5,
            dated=False,
            default=0.03,
        ),
    },
}


def _declared_items(schema: dict) -> dict:
    """The schema with the parameters of the registry's items (``Item.params``, relative to
    ``policy.<pool>``) placed under each pool that books the item."""
    for item in ITEM_ENTRIES:
        for pool in item.pools:
            for path, spec in item.params.items():
                *parents, leaf = path.split(".")
                node = schema["policy"].setdefault(pool, {})
                for key in parents:
                    node = node.setdefault(key, {})
                node[leaf] = _p(**spec)
    return schema


_declared_items(SCHEMA)


def iter_params(tree: dict = SCHEMA, prefix: str = ""):
    """(path, Param) for every leaf of the schema."""
    for key, node in tree.items():
        path = f"{prefix}{key}"
        if isinstance(node, Param):
            yield path, node
        else:
            yield from iter_params(node, path + ".")
