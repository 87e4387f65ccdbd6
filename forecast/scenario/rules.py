"""The scenario's rules, resolved once over the projection years into one labelled Dataset.

:func:`resolve_rules` turns a scenario's parameters (schema path -> :class:`DatedValue` or plain
value) into :class:`Rules`: an :class:`xarray.Dataset` whose variables have the dims ``year`` and,
where a rule has them, ``pool``, ``claim_type``, ``benefit`` (the annual caps: inpatient,
outpatient_special, outpatient), ``service``, ``level`` (outpatient ratios by level of care), ``group``,
``mode``, ``payer`` or ``track`` (labels from :mod:`forecast.vocabulary`), each with ``attrs["units"]``
and the schema path it came from; and a read-only view for code::

    rules.resident.benefits.outpatient_special.annual_cap   # DataArray over year
    rules.ds["benefit_annual_cap"].sel(pool="resident")      # the same rule among its neighbours

How a schema path becomes a variable and its labels is the table :data:`PLACEMENT`; a path it
does not name becomes a variable of its own, its dots made underscores
(``assumptions.economy.wage_growth`` -> ``economy_wage_growth``).

Growth series resolve first, so a value continuing ``after: wage_growth`` grows with the
scenario's own wage path; every value filled beyond its last given year is listed in
``Rules.extended`` (a run records it; ``--strict`` refuses it).
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from ..vocabulary import (
    ASSISTANCE_GROUPS,
    CARE_LEVELS,
    CARE_MODES,
    CLAIM_TYPES,
    LTCI_PAYERS,
    POOLS,
    RETIREMENT_TRACKS,
    SERVICES,
)
from .dated import GROWTH_SERIES, DatedValue
from .param import default_source, default_value
from .parameters import SCHEMA, Param, iter_params

__all__ = ["Rules", "resolve_rules", "with_defaults", "PLACEMENT", "placement", "MissingRule"]

#: How a schema path becomes a labelled variable: a pattern whose named groups are the labels
#: (``field`` names the variable instead, in the template).
PLACEMENT: tuple[tuple[str, str], ...] = (
    (
        r"policy\.(?P<pool>employee|resident)\.benefits\.inpatient\.(?P<claim_type>tier\d)\.(?P<field>deductible|reimbursement_ratio)",
        "benefit_{field}",
    ),
    (
        r"policy\.(?P<pool>employee|resident)\.benefits\.(?P<claim_type>outpatient_special|outpatient)\.(?P<field>deductible|reimbursement_ratio)",
        "benefit_{field}",
    ),
    (r"policy\.(?P<pool>employee|resident)\.benefits\.(?P<benefit>\w+)\.annual_cap", "benefit_annual_cap"),
    (
        r"policy\.(?P<pool>employee|resident)\.benefits\.outpatient\.(?P<level>tier\d|village)\.reimbursement_ratio",
        "outpatient_level_reimbursement_ratio",
    ),
    (
        r"policy\.employee\.benefits\.outpatient\.retired\.(?P<field>deductible|reimbursement_ratio|annual_cap)",
        "retired_outpatient_{field}",
    ),
    (
        r"policy\.(?P<pool>employee|resident)\.benefits\.outpatient_special\.cap_shared_with_inpatient",
        "special_cap_shared_with_inpatient",
    ),
    (r"assumptions\.medical_costs\.utilisation_growth\.(?P<service>\w+)", "utilisation_growth"),
    (r"assumptions\.medical_costs\.cost_trend\.(?P<pool>\w+)", "cost_trend"),
    (r"policy\.medical_assistance\.groups\.(?P<group>\w+)\.(?P<field>\w+)", "group_{field}"),
    (r"policy\.ltci\.coverage\.(?P<pool>\w+)", "ltci_coverage"),
    (r"policy\.ltci\.financing_shares\.(?P<payer>\w+)", "ltci_financing_share"),
    (r"policy\.ltci\.(?P<field>care_mix|monthly_cost|reimbursement_ratio)\.(?P<mode>\w+)", "ltci_{field}"),
    (
        r"policy\.employee\.retirement_age\.(?P<track>male|female_worker|female_cadre)\.(?P<field>\w+)",
        "retirement_age_{field}",
    ),
)
_COMPILED = tuple((re.compile(f"^{pattern}$"), template) for pattern, template in PLACEMENT)
#: prefixes left out of a variable's name and of the view (assumptions.economy -> economy)
_SECTIONS = ("assumptions.", "policy.")


def placement(path: str) -> tuple[str, dict[str, str]]:
    """(variable, {dim: label}) of the schema ``path`` in the rules Dataset.

    >>> placement("policy.resident.benefits.inpatient.tier2.deductible")
    ('benefit_deductible', {'pool': 'resident', 'claim_type': 'tier2'})
    >>> placement("assumptions.economy.wage_growth")
    ('economy_wage_growth', {})
    """
    for pattern, template in _COMPILED:
        match = pattern.match(path)
        if match:
            groups = match.groupdict()
            return template.format(**groups), {dim: label for dim, label in groups.items() if dim != "field"}
    short = next((path[len(p) :] for p in _SECTIONS if path.startswith(p)), path)
    return short.replace(".", "_"), {}


@dataclass(frozen=True)
class Rules:
    """A scenario's rules over the projection years: ``ds`` (labelled), ``extended`` (values
    filled beyond their last given year, path -> how) and the view (attribute access by the
    schema's keys, without the assumptions/policy level)."""

    years: np.ndarray
    ds: xr.Dataset
    extended: dict
    values: dict = field(repr=False)

    def __getitem__(self, path: str):
        """The value of schema ``path``: a numpy array over ``years``, or a plain value."""
        return self.values[path]

    def base_year(self) -> Rules:
        """The rules of the first (base) year only: what the calibration reproduces (made once per
        Rules: the plan asks for them once per pool)."""
        if "_base_year" not in self.__dict__:
            values = {k: (v[:1] if isinstance(v, np.ndarray) else v) for k, v in self.values.items()}
            self.__dict__["_base_year"] = Rules(self.years[:1], self.ds.isel(year=[0]), {}, values)
        return self.__dict__["_base_year"]

    def __getattr__(self, name: str):
        return _View(self, "")._child(name)

    def __dir__(self):
        return sorted({*super().__dir__(), *_children("")})

    def selected(self, path: str) -> xr.DataArray:
        """The labelled rule of schema ``path`` (a variable of ``ds``, or its part by ``placement``),
        selected once per Rules: the benefit layers read the same rules hundreds of times a run. A
        shallow copy each time (its own attrs; the values are read-only)."""
        memo = self.__dict__.setdefault("_selected", {})
        if path not in memo:
            variable, labels = placement(path)
            memo[path] = self.ds[variable].sel(labels, drop=True) if labels else self.ds[variable]
        return memo[path].copy(deep=False)


@functools.cache
def _children(prefix: str) -> frozenset[str]:
    """The view's keys below ``prefix`` (a view path, without assumptions/policy)."""
    out = set()
    for path, _ in iter_params():
        short = next((path[len(p) :] for p in _SECTIONS if path.startswith(p)), path)
        if short.startswith(prefix):
            out.add(short[len(prefix) :].split(".")[0])
    return frozenset(out)


class _View:
    """Read-only attribute access to the rules by the schema's keys."""

    __slots__ = ("_rules", "_prefix")

    def __init__(self, rules: Rules, prefix: str):
        object.__setattr__(self, "_rules", rules)
        object.__setattr__(self, "_prefix", prefix)

    def __getattr__(self, name: str):
        return self._child(name)

    def __setattr__(self, name, value):
        raise AttributeError("the rules are read-only")

    def __dir__(self):
        return sorted(_children(self._prefix))

    def _child(self, name: str):
        short = f"{self._prefix}{name}"
        for section in ("", *_SECTIONS):
            path = f"{section}{short}"
            if path in self._rules.values:
                return self._rules.selected(path)
        if name in _children(self._prefix):
            return _View(self._rules, f"{short}.")
        close = difflib.get_close_matches(name, sorted(_children(self._prefix)), n=1)
        raise AttributeError(f"no rule '{short}'" + (f"; did you mean '{self._prefix}{close[0]}'?" if close else ""))


class MissingRule(ValueError):
    """A parameter without a default is absent: the rules cannot be resolved (never read as 0)."""


def with_defaults(params: dict) -> dict:
    """``params`` with every absent parameter that has a default (``Param.default``) given it:
    the one place where defaults are filled. A parameter without a default that is absent raises
    :class:`MissingRule` (a validated scenario has them all: the loader reports the file and line).

    >>> import forecast
    >>> given = {k: v for k, v in forecast.load_scenario("baseline").params.items() if k != "verdict.high_months"}
    >>> with_defaults(given)["verdict.high_months"]
    9.0
    """
    out = dict(params)
    missing = []
    for path, param in iter_params():
        if out.get(path) is not None or param.default_from:
            continue
        value = default_value(param)
        if value is None:
            missing.append(path)
        else:
            out[path] = value
    if missing:
        raise MissingRule(
            f"no value for {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}: give every parameter without "
            "a default (scenarios/baseline.yaml gives them all)"
        )
    return out


def resolve_rules(params: dict, years) -> Rules:
    """Resolve ``params`` (schema path -> DatedValue or plain value) over ``years`` (consecutive),
    defaults filled (:func:`with_defaults`)."""
    params = with_defaults(params)
    years = np.asarray(years, dtype=int)
    values, extended = {}, {}
    frozen = params.get("assumptions.indexation.benefit_limits") == "frozen"
    declared = dict(iter_params())
    for path in sorted(params, key=lambda p: p not in GROWTH_SERIES.values()):
        value = params[path]
        if not isinstance(value, DatedValue):
            values[path] = value
            continue
        after = "hold" if frozen and path in declared and declared[path].limit else value.after
        series, beyond = value.path(years, values.get(GROWTH_SERIES.get(after, "")), after=after)
        values[path] = series
        if beyond and np.any(series != 0):  # a value of 0 (no deductible) stays 0 whatever its rule
            last = int(years[0]) if value.is_constant else value.last_year
            lag = f", {value.lag} year behind" if value.lag and after in GROWTH_SERIES else ""
            extended[path] = (
                f"{after}{lag} from {last + 1} to {beyond[-1]} (last given {last}: {value.points[-1][1]:g})"
            )
    values.update(_left_out(values))
    return Rules(years, _dataset(values, years), extended, values)


def _left_out(values: dict) -> dict:
    """The values of parameters left out (absent, or None: a change undone to a root that leaves them
    out) that take another's (``Param.default_from``: an outpatient ratio by level of care left out
    is the flat ratio), from the resolved ``values``."""
    out = {}
    for path, param in iter_params():
        source = default_source(path, param)
        if source and values.get(path) is None and source in values:
            out[path] = values[source]
    return out


#: the closed list each labelled dimension follows (forecast.vocabulary), so labels come in one order
ORDER = {
    "pool": POOLS,
    "claim_type": CLAIM_TYPES,
    "level": CARE_LEVELS,
    "service": SERVICES,
    "benefit": SERVICES,
    "group": ASSISTANCE_GROUPS,
    "mode": CARE_MODES,
    "payer": LTCI_PAYERS,
    "track": RETIREMENT_TRACKS,
}


def _vocabulary_order(dim: str):
    order = ORDER.get(dim, ())
    return lambda label: order.index(label) if label in order else len(order)


def _dataset(values: dict, years: np.ndarray) -> xr.Dataset:
    """The labelled Dataset of resolved ``values``: one variable per placement, labels in schema order."""
    params: dict[str, Param] = dict(iter_params(SCHEMA))
    grouped: dict[str, dict] = {}
    coords: dict = {}
    for path, value in values.items():
        variable, labels = placement(path)
        grouped.setdefault(variable, {})[tuple(labels.items())] = (path, value)
    arrays = {}
    for variable, entries in grouped.items():
        keys = list(entries)
        dims = tuple(d for d, _ in keys[0])
        labels = {d: sorted(dict.fromkeys(k[i][1] for k in keys), key=_vocabulary_order(d)) for i, d in enumerate(dims)}
        first_path, first_value = entries[keys[0]]
        dated = isinstance(first_value, np.ndarray)
        shape = ((len(years),) if dated else ()) + tuple(len(labels[d]) for d in dims)
        array = (
            np.full(shape, np.nan) if dated or isinstance(first_value, (int, float)) else np.empty(shape, dtype=object)
        )
        filled = np.zeros(shape, dtype=bool)
        for key, (_, value) in entries.items():
            index = tuple(labels[d].index(label) for d, label in key)
            array[(slice(None), *index) if dated else index] = value
            filled[(slice(None), *index) if dated else index] = True
        if not filled.all():  # a label combination no parameter gave: never read as 0
            raise MissingRule(f"{variable}: no value for some of {', '.join(f'{d}={labels[d]}' for d in dims)}")
        param = params.get(first_path)
        attrs = {"units": param.unit if param else "year", "description": param.description if param else first_path}
        arrays[variable] = xr.Variable((("year",) if dated else ()) + dims, array, attrs)
        coords.update({d: labels[d] for d in dims})
    return xr.Dataset(arrays, coords={"year": years, **coords})
