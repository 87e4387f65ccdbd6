"""Long-term care insurance (长期护理保险): who is covered, who receives care, what it costs and
who pays, for every year and draw.

Covered persons = each basic pool's members × the pool's LTCI coverage (the pilot scope, extended
by scenario). Beneficiaries = covered persons × disability prevalence by age and sex × take-up
(calibrated to the published beneficiaries). Spending per beneficiary = 12 × Σ_mode care mix ×
monthly cost × reimbursement ratio, scaled to the published spending. Financing = covered persons
× financing per person (scaled to the published income), split between the employee pooled fund
(the employer half may be drawn from it, 医保发〔2020〕37号), individuals and public budgets; for
residents the pooled-fund share falls to the budget.
"""

from __future__ import annotations

import xarray as xr

from ...vocabulary import CARE_MODES
from ..financing.rules import Lever
from .base import Context, PoolFlows

__all__ = [
    "covered",
    "financing",
    "employee_pooled_share",
    "beneficiaries",
    "spending_per_beneficiary",
    "mode_shares",
    "financing_split",
    "flows",
    "lever",
]


def covered(rules, employees: xr.DataArray, residents: xr.DataArray) -> xr.DataArray:
    """Covered persons (or any sum over them, e.g. the disabled): coverage × members by pool."""
    coverage = rules.ltci.coverage
    out = coverage.employee * employees + coverage.resident * residents
    out.attrs["units"] = "persons"
    return out


def financing(covered_persons: xr.DataArray, rules, factor) -> xr.DataArray:
    """LTCI financing: covered persons × financing per person × the calibration factor, yuan."""
    out = covered_persons * rules.ltci.financing_per_capita * factor
    out.attrs["units"] = "yuan"
    return out


def employee_pooled_share(rules, employees: xr.DataArray, covered_persons: xr.DataArray) -> xr.DataArray:
    """Share of all LTCI financing drawn from the employee pooled fund (0 with no one covered)."""
    drawn = rules.ltci.financing_shares.employee_pooled_fund * rules.ltci.coverage.employee * employees
    out = xr.where(covered_persons > 0, drawn / covered_persons.where(covered_persons > 0, 1.0), 0.0)
    out.attrs["units"] = "ratio"
    return out


def beneficiaries(take_up, disabled_covered: xr.DataArray) -> xr.DataArray:
    """Persons receiving LTCI benefits: take-up × covered persons with a disability."""
    out = take_up * disabled_covered
    out.attrs["units"] = "persons"
    return out


def _parts(rules) -> xr.DataArray:
    ltci = rules.ds
    return ltci["ltci_care_mix"] * ltci["ltci_monthly_cost"] * ltci["ltci_reimbursement_ratio"]


def spending_per_beneficiary(rules) -> xr.DataArray:
    """Fund payment per beneficiary-year: 12 × Σ_mode mix × monthly cost × ratio, yuan/person/year."""
    out = 12 * _parts(rules).sum("mode")
    out.attrs["units"] = "yuan/person/year"
    return out


def mode_shares(rules) -> xr.DataArray:
    """Share of LTCI spending by care mode (0 where nothing is spent), ratio."""
    parts = _parts(rules)
    total = parts.sum("mode")
    out = xr.where(total > 0, parts / total.where(total > 0, 1.0), 0.0)
    out.attrs["units"] = "ratio"
    return out


def financing_split(total: xr.DataArray, transfer: xr.DataArray, rules) -> xr.Dataset:
    """LTCI income by source: the employee pooled fund's transfer, individuals' contributions, and
    public budgets (their share, plus the pooled-fund share of residents' financing), yuan."""
    shares = rules.ltci.financing_shares
    residents_pooled = shares.employee_pooled_fund * total - transfer
    out = xr.Dataset(
        {
            "transfer_in": transfer,
            "contributions": total * shares.individual,
            "fiscal_subsidy": total * shares.fiscal + residents_pooled.clip(min=0),
        }
    )
    for name in out.data_vars:
        out[name].attrs["units"] = "yuan"
    return out


def _covered(ctx: Context, curve: str) -> xr.DataArray:
    """Covered persons weighted by ``curve`` (``count``: the covered, ``disability``: the disabled among them)."""
    return covered(ctx.rules, ctx.weighted("employee", curve), ctx.weighted("resident", curve))


def _financing(ctx: Context) -> tuple[xr.DataArray, xr.DataArray]:
    """All LTCI financing and the part drawn from the employee pooled fund, yuan."""
    total = financing(_covered(ctx, "count"), ctx.rules, ctx.cal.ltci_financing_factor_)
    return total, employee_pooled_share(ctx.rules, ctx.weighted("employee", "count"), _covered(ctx, "count")) * total


def flows(ctx: Context) -> PoolFlows:
    """Spending by care mode on the beneficiaries, financing by source (the employee pooled fund's
    share as a transfer it receives), the covered persons and the beneficiaries."""
    total, transfer = _financing(ctx)
    users = beneficiaries(ctx.cal.ltci_take_up_, _covered(ctx, "disability"))
    per_user = spending_per_beneficiary(ctx.rules) * ctx.cal.ltci_cost_factor_ * ctx.indices["care"]
    shares = mode_shares(ctx.rules)
    split = financing_split(total, transfer, ctx.rules)
    return PoolFlows(
        income={"contributions": split["contributions"], "fiscal_subsidy": split["fiscal_subsidy"]},
        expenditure={mode: users * per_user * shares.sel(mode=mode, drop=True) for mode in CARE_MODES},
        receives={"employee": split["transfer_in"]},
        insured=_covered(ctx, "count"),
        results={
            "ltci_beneficiaries": users.assign_attrs(units="persons", description="persons receiving LTCI benefits")
        },
    )


def lever(ctx: Context) -> Lever:
    """Financing per covered person (v₀), the income one yuan of it brings (k: covered × the
    calibration factor) and the employee pooled fund's share of it (the spill)."""
    total, transfer = _financing(ctx)
    people = _covered(ctx, "count")
    return Lever(
        ctx.rules.ltci.financing_per_capita + 0.0 * people,
        people * ctx.cal.ltci_financing_factor_,
        transfer / total.where(total > 0, 1.0),
    )
