"""The pools as units: one module per pool (DESIGN.md's closed list), each giving its income,
expenditure by item, the transfers it receives and its insured persons from one
:class:`~.base.Context` (``flows(ctx)``), and its financing lever where a rule may set one
(``lever(ctx)``). :mod:`.ledger` books the transfers on both sides and lays the items out."""

from . import critical_illness, employee, ltci, medical_assistance, resident
from .base import Context, PoolFlows

#: pool -> its module, in the order of forecast.vocabulary.POOLS
UNITS = {
    "employee": employee,
    "resident": resident,
    "critical_illness": critical_illness,
    "medical_assistance": medical_assistance,
    "ltci": ltci,
}

__all__ = ["UNITS", "Context", "PoolFlows"]
