"""The expected payment per claim of each payer (the basic pool, critical illness, each assistance
group), by year and claim type, and by draw where the claim sizes differ by draw: the layers of
:func:`~forecast.model.benefits.payers.payer_layers` applied to the claim-size distributions of a
:class:`~forecast.model.benefits.payers.ClaimModel`, in closed form
(:mod:`forecast.model.benefits.layers`)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from ...vocabulary import ASSISTANCE_GROUPS, CLAIM_TYPES
from .layers import Layer, shared_edges, shared_expectation
from .payers import ClaimModel, PayerLayers

__all__ = ["payments", "payer_slots"]


def _draw_free(values: np.ndarray) -> np.ndarray:
    """A claim type's base-year mean over draws, kept with its draw axis only where draws differ
    (the outpatient claim's, which the base-year population divides)."""
    values = np.atleast_1d(values)
    return values[:1] if np.all(values == values.flat[0]) else values


def payer_slots(payers: list[PayerLayers]) -> list[tuple[int, list[Layer]]]:
    """(slot, layers over years) of each payer of one claim type (``payers``: its
    :class:`PayerLayers` of every year): 0 the basic pool, 1 critical illness, 2 + g assistance
    group g (those the pool has)."""
    out = [(0, [p.basic for p in payers])]
    if payers[0].critical_illness is not None:
        out.append((1, [p.critical_illness for p in payers]))
    for g, group in enumerate(ASSISTANCE_GROUPS):
        if group in payers[0].assistance:
            out.append((2 + g, [p.assistance[group] for p in payers]))
    return out


def payments(model: ClaimModel, layers: list[dict], severity: np.ndarray, years) -> xr.Dataset:
    """Expected payment per claim: ``cost`` (the mean claim), ``basic`` (the pool),
    ``critical_illness`` and ``assistance`` (by group), by year and claim type (and draw where the
    claim sizes differ by draw), yuan per claim. ``severity`` is the cost index per year (1 in the
    base year); ``layers`` come from :func:`payer_layers`. Each payer's layers of all years are
    evaluated together, and the payers of a claim type over one table of limited expected values
    (:func:`~forecast.model.benefits.layers.shared_expectation`)."""
    mean = model.mean_cost.transpose("claim_type", ...)
    extra = mean.dims[1:]
    shape = (len(years), len(CLAIM_TYPES), *mean.shape[1:])
    cost, basic, ci = np.empty(shape), np.empty(shape), np.zeros(shape)
    assistance = np.zeros((len(years), len(CLAIM_TYPES), len(ASSISTANCE_GROUPS), *mean.shape[1:]))
    severity = np.asarray(severity, dtype=float).reshape((-1,) + (1,) * len(extra))
    for j, kind in enumerate(CLAIM_TYPES):
        cv = float(model.cv.sel(claim_type=kind))
        m = severity * _draw_free(mean.values[j])  # (year, draw or 1)
        cost[:, j] = m
        slots = payer_slots([layers[i][kind] for i in range(len(years))])
        paid = shared_expectation(shared_edges([layers for _, layers in slots]), m, cv)
        for (slot, _), value in zip(slots, paid):
            target = basic if slot == 0 else ci if slot == 1 else assistance[:, :, slot - 2]
            target[:, j] = value
    coords = {
        "year": np.asarray(years),
        "claim_type": list(CLAIM_TYPES),
        **{d: mean[d].values for d in extra if d in mean.coords},
    }
    dims = ("year", "claim_type", *extra)
    return xr.Dataset(
        {
            "cost": (dims, cost, {"units": "yuan", "description": "mean policy-scope cost per claim"}),
            "basic": (dims, basic, {"units": "yuan", "description": "the basic pool's expected payment per claim"}),
            "critical_illness": (
                dims,
                ci,
                {"units": "yuan", "description": "critical illness's expected payment per claim"},
            ),
            "assistance": (
                ("year", "claim_type", "group", *extra),
                assistance,
                {"units": "yuan", "description": "medical assistance's expected payment per claim of a group member"},
            ),
        },
        coords={**coords, "group": list(ASSISTANCE_GROUPS)},
    )
