"""What a pool unit reads and what it gives back.

A pool module (:mod:`.employee`, :mod:`.resident`, :mod:`.critical_illness`,
:mod:`.medical_assistance`, :mod:`.ltci`) has one entry point, ``flows(ctx) -> PoolFlows``: its
income and expenditure by item, the transfers it receives from other pools, its insured persons
and the result variables of its own, each an array over (year, draw) in yuan or persons. Pools
with a financing lever also have ``lever(ctx) ->``
:class:`~forecast.model.financing.rules.Lever`. The engine builds the :class:`Context` once per
chunk of draws; :mod:`.ledger` books the transfers and lays the items out by pool.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import xarray as xr

__all__ = ["Context", "PoolFlows", "FORMULAS", "formula"]


@dataclass(frozen=True)
class Context:
    """What every pool reads, for one chunk of draws (arrays over year and draw).

    ``rules``/``root``: the scenario's and the root baseline's rules
    (:class:`~forecast.scenario.rules.Rules`); ``members``: the insured persons, ``count`` by
    status and ``weighted`` by pool and age–sex curve (:func:`~forecast.model.enrollment.summary.insured_summary`);
    ``units`` and ``pay``: the basic pools' claims by type and payments per claim
    (:mod:`forecast.model.benefits`); ``cal``: the base year's calibration factors
    (:class:`~forecast.model.calibration.factors.BaseYearCalibration`); ``indices``: the cost
    indices (severity, utilisation, care, assistance, realisation); ``paths``: the stochastic
    drivers (:class:`~forecast.model.uncertainty.stochastic.DriverPaths`); ``wages``: the wage
    index with its draws; ``births`` and ``population``: the year's births and mid-year population;
    ``figures``: the published base year; ``payg``: the pools financed as they pay (pool)."""

    rules: object
    root: object
    members: xr.Dataset
    units: dict
    pay: dict
    cal: object
    indices: xr.Dataset
    paths: object
    wages: xr.DataArray
    births: xr.DataArray
    population: xr.DataArray
    figures: dict
    payg: xr.DataArray
    #: values more than one pool function reads, made once per context (:meth:`once`)
    made: dict = field(default_factory=dict, compare=False, repr=False)

    def once(self, key: str, make: Callable[[], object]):
        """``make()``, made the first time ``key`` is asked for in this context and kept (a pool's
        financing read by its flows and by its lever, the employee contribution base by the pooled
        fund and by the accounts); each is an array the stages read and never write."""
        if key not in self.made:
            self.made[key] = make()
        return self.made[key]

    def count(self, status: str) -> xr.DataArray:
        """Mid-year insured persons of ``status`` (year, draw)."""
        return self.members["count"].sel(status=status, drop=True)

    def employees(self) -> xr.DataArray:
        """Mid-year members of the employee pool: in-service, flexible and retired (year, draw)."""
        return self.members["count"].sel(status=["in_service", "flexible", "retired"]).sum("status")

    def weighted(self, pool: str, curve: str) -> xr.DataArray:
        """``pool``'s members weighted by the age–sex ``curve`` (``count``: unweighted), (year, draw)."""
        return self.members["weighted"].sel(pool=pool, curve=curve, drop=True)


@dataclass
class PoolFlows:
    """One pool's year-by-year flows (yuan; persons for ``insured``): income and expenditure by
    item (without transfers between pools and without interest), the transfers it receives
    (payer pool -> amount; the ledger books them as the payer's ``transfer_out`` and this pool's
    ``transfer_in``), its insured persons and result variables of its own."""

    income: dict = field(default_factory=dict)
    expenditure: dict = field(default_factory=dict)
    receives: dict = field(default_factory=dict)
    insured: xr.DataArray | float = 0.0
    results: dict = field(default_factory=dict)


#: (pool, item) -> the formula of an item the registry declares with rules of its own
#: (``forecast.registry.Item.params``), booked by the ledger beside the pool's ``flows``
FORMULAS: dict[tuple[str, str], Callable[[Context], xr.DataArray]] = {}


def formula(pool: str, item: str):
    """Declare ``function(ctx) -> DataArray`` (year, draw; yuan) as the formula of registry item
    ``item`` in ``pool``: the ledger books it on the item's side of the pool's accounts.

    >>> @formula("resident", "example_item")
    ... def example(ctx):
    ...     return 0.0
    >>> FORMULAS.pop(("resident", "example_item")) is example
    True
    """

    def register(function: Callable[[Context], xr.DataArray]) -> Callable[[Context], xr.DataArray]:
        FORMULAS[pool, item] = function
        return function

    return register
