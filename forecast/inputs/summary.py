"""A bundle in a few lines: population, insured persons and the last fund year (``forecast run``
prints it; :meth:`forecast.Region.summary`)."""

from __future__ import annotations

import numpy as np

from ..vocabulary import POOL_NAMES_ZH

__all__ = ["region_summary", "yi", "MONTHS"]

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def yi(yuan: float) -> str:
    """Format an amount in yuan as 亿元 with two decimals."""
    return "—" if np.isnan(yuan) else f"{yuan / 1e8:,.2f}"


def region_summary(region) -> str:
    """Population, insured persons and the last fund year of a bundle."""
    pop = region.base_population
    total = float(pop.sum())
    old = float(pop.where(pop.age_start >= 65, 0).sum())
    males = float(pop.sel(sex="male").sum())
    lines = [
        f"Region bundle: {region.name} ({region.metadata.get('name_en', '')}, {region.level})"
        + ("  [ILLUSTRATION — not official data]" if region.illustration else ""),
        f"  folder: {region.path}",
        f"  base population ({region.population_date:%Y-%m-%d}): {total:,.0f} persons; "
        f"65+ share {old / total:.2%}; sex ratio {males / (total - males) * 100:.2f} males per 100 females",
    ]
    ins = region.insured
    last = int(ins.year.max())
    lines.append(f"  insured persons, {last} (万人):")
    for pool in ins.pool.values:
        value = float(ins.sel(year=last, pool=pool, status="all"))
        if not np.isnan(value):
            lines.append(f"    {pool:<20} {POOL_NAMES_ZH[pool]:<12} {value / 1e4:>12,.2f}")
    fh = region.fund_history
    year = int(fh.loc[fh["pool"] != "basic", "year"].max())
    months = int(fh.loc[(fh["year"] == year) & (fh["pool"] != "basic"), "months"].min()) if "months" in fh else 12
    period = f"{year}" if months == 12 else f"{year}, January-{MONTHS[months - 1]} (execution to date)"
    lines.append(f"  fund accounts, {period} (亿元):")
    lines.append(f"    {'':<30}{'income':>10} {'expenditure':>14} {'balance':>14} {'reserve':>14}")
    for pool in [p for p in ins.pool.values]:
        for account in ("total", "pooled_fund", "individual_account"):
            rows = fh[(fh.year == year) & (fh.pool == pool) & (fh.account == account)]
            if rows.empty or rows["value"].isna().all():
                continue
            item = dict(zip(rows["item"], rows["value"]))
            inc, exp = item.get("income", np.nan), item.get("expenditure", np.nan)
            bal = item.get("balance", inc - exp)
            label = pool if account == "total" else f"{pool}.{account}"
            lines.append(
                f"    {label:<30}{yi(inc):>10} {yi(exp):>14} {yi(bal):>14} {yi(item.get('reserve', np.nan)):>14}"
            )
    return "\n".join(lines)
