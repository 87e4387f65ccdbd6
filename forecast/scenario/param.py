"""One scenario parameter: its declaration (:class:`Param`: unit, range, meaning, default) and how a
value written in a file becomes a number in the canonical unit (:func:`coerce`). The table of all
parameters is :data:`forecast.scenario.parameters.SCHEMA`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .dated import FITTED, DatedValue

__all__ = ["Param", "coerce", "MONEY_UNITS", "param", "growth", "default_source", "default_value"]

MONEY_UNITS = ("yuan", "yuan/person/year", "yuan/person/month")


@dataclass(frozen=True)
class Param:
    """One scenario parameter: unit, allowed range, default (None: the baseline must give it)."""

    unit: str
    description: str
    low: float | None = None
    high: float | None = None
    default: object = None
    reference: str = ""
    dated: bool = True
    choices: tuple = ()
    #: default continuation after the last given value (a single value: after the base year)
    after: str = "hold"
    #: years the continuation's growth series lags (a limit reset to the previous year's wage: 1)
    lag: int = 0
    #: a benefit limit in yuan (deductible, cap, limit, unit cost): frozen with the rest when a
    #: scenario sets assumptions.indexation.benefit_limits to frozen
    limit: bool = False
    #: a schedule a policy lays down in advance (a back-test from an earlier year keeps it whole)
    scheduled: bool = False
    #: the fitted history series that the value ``fitted`` stands for (forecast.model.fitting.fitted), if any
    fitted_from: str = ""
    #: when not given: the value of this key in the mapping one level up, taken when the rules
    #: resolve (a rule by level of care left out follows the flat rule, also when a solver or an
    #: overlay moves the flat rule), if any
    default_from: str = ""

    def bound_text(self) -> str:
        if self.choices:
            return "one of " + ", ".join(map(str, self.choices))
        if self.unit == "bool":
            return "true or false"
        return f"a number in [{self.low:g}, {self.high:g}] ({self.unit})"


_PERCENT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*%\s*$", re.ASCII)
_MONEY = re.compile(r"^\s*(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*(万|亿)?\s*(元)?\s*$", re.ASCII)
#: 亿 (1e8) is accepted only where a parameter can be that large (budgets), so a slip on a benefit
#: parameter (a cap of "20亿") is refused rather than read
_YI_MIN_BOUND = 1e10


def coerce(value, param: Param) -> tuple[float | str | bool | None, str | None]:
    """(value in the canonical unit, None) or (None, what is wrong and how to fix it)."""
    if param.choices:
        if value in param.choices:
            return value, None
        return None, f"expected {param.bound_text()}"
    if param.unit == "bool":
        if isinstance(value, bool):
            return value, None
        return None, "expected true or false"
    if value == FITTED:
        if param.fitted_from:
            return FITTED, None
        return None, f"'fitted' is not available for this parameter: expected {param.bound_text()}"
    number = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str) and param.unit == "ratio" and _PERCENT.match(value):
        number = float(_PERCENT.match(value).group(1)) / 100
    elif isinstance(value, str) and param.unit in MONEY_UNITS and _MONEY.match(value) and value.strip() not in ("",):
        m = _MONEY.match(value)
        if m.group(2) == "亿" and param.high < _YI_MIN_BOUND:
            return (
                None,
                f'亿 is not accepted for this parameter: expected {param.bound_text()} (write money as 2000, "2000元" '
                'or "20万")',
            )
        number = float(m.group(1)) * {None: 1, "万": 10_000, "亿": 100_000_000}[m.group(2)]
    if number is None:
        hint = ' (write a ratio as 0.65 or "65%")' if param.unit == "ratio" else ""
        hint = ' (write money as 2000, "2000元" or "20万")' if param.unit in MONEY_UNITS else hint
        return None, f"expected {param.bound_text()}{hint}"
    if not param.low <= number <= param.high:
        if param.unit == "ratio" and 1 < number <= 100 and param.low <= number / 100 <= param.high:
            return None, f'ratios are fractions: write {number / 100:g} (or "{number:g}%"), not {number:g}'
        return None, f"expected {param.bound_text()}"
    return number, None


def default_value(param: Param):
    """The value a parameter left out takes (its ``default``: a constant dated value for a dated
    parameter, the plain value otherwise), or None when it has none and must be given."""
    if param.default is None:
        return None
    return DatedValue.constant(float(param.default)) if param.dated else param.default


def default_source(path: str, param: Param) -> str:
    """The parameter whose value ``path`` takes when left out (``param.default_from``: the key in the
    mapping one level up), or ''.

    >>> default_source(
    ...     "policy.resident.benefits.outpatient.tier1.reimbursement_ratio",
    ...     Param("ratio", "", default_from="reimbursement_ratio"),
    ... )
    'policy.resident.benefits.outpatient.reimbursement_ratio'
    """
    return f"{path.rsplit('.', 2)[0]}.{param.default_from}" if param.default_from else ""


def param(unit, description, low=None, high=None, **kw) -> Param:
    if unit == "ratio" and low is None:
        low, high = 0.0, 1.0
    if unit in MONEY_UNITS and low is None:
        low, high = 0.0, 1e9
    return Param(unit, description, low, high, **kw)


def growth(description, **kw) -> Param:
    return param("ratio", description + " (ratio a year: 0.05 = 5%)", -0.5, 1.0, **kw)
