"""General-outpatient reimbursement by level of care (tier-3, tier-2, tier-1 and township, village).

Local rules often grade the general-outpatient ratio by where the member is seen (黔东南州 2023:
60% in tier-2 hospitals, 85% in township centres, 90% in village clinics), with one deductible
and one annual cap for the year. The fund model's general-outpatient claim is a member's year of
care, X, spread over the levels in fixed proportions s_l (the level's share of outpatient spending:
its share of visits × its cost per visit relative to tier2, normalised; the bundle's
``claim_sizes``, service ``outpatient``). The deductible is met in the same proportions, so what
the fund pays on X is::

    min(Σ_l c_l·s_l·(X − d)+, u) = min(c̄·(X − d)+, u),   c̄ = c + Σ_l s_l·(c_l − c)

with c the flat ratio: the claim keeps its lognormal layer with one effective ratio c̄ a year.
Written as the flat ratio plus the spending-weighted gaps, c̄ is exactly c when every level has
the flat ratio, whatever the shares (the identity the tests check), and the bundle's shares are
needed only when the levels differ.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ...errors import InputError, Problem
from ...vocabulary import CARE_LEVELS

__all__ = ["outpatient_spending_shares", "outpatient_ratio"]


def outpatient_spending_shares(region) -> xr.DataArray:
    """Each level's share of general-outpatient spending (level; ratio, adding up to 1):
    visits share × relative cost per visit, normalised. A located error when the bundle's
    ``claim_sizes`` lacks a level's outpatient ``level_share`` or ``level_cost_ratio``."""
    visits = np.array([region.claim("outpatient", "level_share", level) for level in CARE_LEVELS])
    cost = np.array([region.claim("outpatient", "level_cost_ratio", level) for level in CARE_LEVELS])
    missing = [level for level, v, c in zip(CARE_LEVELS, visits, cost) if not (np.isfinite(v) and np.isfinite(c))]
    spending = visits * cost
    if missing or not spending.sum() > 0:
        raise InputError(
            Problem(
                region.path / "claim_sizes.csv",
                "the scenario grades the general-outpatient reimbursement ratio by level of care, "
                "but claim_sizes gives no outpatient "
                f"level_share and level_cost_ratio for {', '.join(missing) or 'any level with visits'}, "
                "so the levels' shares of spending are unknown",
                "add rows 'outpatient,<level>,level_share,...' and 'outpatient,<level>,level_cost_ratio,...' "
                "for tier3, tier2, tier1 and village "
                "(see data/china/claim_sizes.csv), or give the outpatient reimbursement_ratio alone",
                field="claim_sizes",
            )
        )
    return xr.DataArray(
        spending / spending.sum(),
        dims="level",
        coords={"level": list(CARE_LEVELS)},
        attrs={"units": "ratio", "description": "the level's share of general-outpatient spending"},
    )


def outpatient_ratio(rules, pool: str, region=None) -> np.ndarray:
    """The effective general-outpatient reimbursement ratio of ``pool`` per year (ratio):
    c + Σ_l s_l·(c_l − c), the flat ratio c itself where every level has it. ``region`` None:
    the levels are not costed (the reduced claim model), the flat ratio is returned."""
    flat = rules.ds["benefit_reimbursement_ratio"].sel(pool=pool, claim_type="outpatient", drop=True)
    gap = rules.ds["outpatient_level_reimbursement_ratio"].sel(pool=pool, drop=True) - flat
    if region is None or not bool((gap != 0).any()):
        return flat.values
    shares = outpatient_spending_shares(region)
    with xr.set_options(arithmetic_join="exact"):
        return (flat + (shares * gap).sum("level")).transpose("year").values
