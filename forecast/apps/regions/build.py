"""A prefecture bundle's tables from a bureau's figures, its province and the nation.

Each function returns a table's rows (forecast.cli.init_region assembles them). What the bureau gives is written as
given; what it does not is filled and labelled in each row (``source``, ``method``/``note``,
``report_type`` ``derived``/``borrowed``/``annualised``):

- base population — the province's 2020 census structure scaled to the place's census
  (:mod:`forecast.apps.regions.province`);
- mortality — the national schedule (data/china, WPP 2024), scaled proportionally to the
  province's life expectancy where one is cited;
- fertility, sex ratio at birth, cost curves, disability prevalence, claim sizes, financing rules —
  borrowed from data/china;
- insured persons — the bureau's counts; a missing split by pool or status by the nation's shares;
- fund accounts — the bureau's; a partial year annualised with the national seasonal profile; a
  figure the calibration needs and the bureau lacks derived per insured from the nation;
- benefit use (utilisation) — the nation's use per insured × the local insured, so benefit
  changes can be costed.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import InputError, Problem
from .accounts import HISTORY_YEARS, history_rows
from .figures import Figures
from .province import GROUPS, SEXES, scale_to_life_expectancy, scaled_population

__all__ = [
    "PROVINCE_SOURCE",
    "BORROWED",
    "Nation",
    "population_rows",
    "mortality_rows",
    "borrowed_table",
    "insured_counts",
]

PROVINCE_SOURCE = "CENSUS2020_PROVINCE"
#: tables copied from data/china, each row labelled
BORROWED = (
    "fertility",
    "total_fertility",
    "sex_ratio_at_birth",
    "cost_curves",
    "disability_prevalence",
    "claim_sizes",
    "financing",
)
NATION = "borrowed from data/china (national)"


def _read(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames), list(reader)


def _g(value: float) -> str:
    return f"{value:.12g}"


def borrowed_table(china: Path, name: str) -> tuple[list[str], list[list]]:
    """A national table as published, with a ``note`` saying it is borrowed."""
    header, rows = _read(china / f"{name}.csv")
    if "note" in header:
        return header, [[r[h] if h != "note" else f"{NATION}; {r['note']}" for h in header] for r in rows]
    return [*header, "note"], [[r[h] for h in header] + [NATION] for r in rows]


def population_rows(figures: Figures, structure: dict, structure_2010: dict) -> tuple[list[str], list[list]]:
    pop = figures.population
    if pop.get("total") is None and pop.get("later"):
        later, province_2020 = pop["later"], sum(structure.values())
        pop["total"] = round(later["total"] * province_2020 / later["province_total"])
        pop["derived"] = (
            f"the 2020 census total is not at hand: the place's {later['year']} resident population "
            f"{later['total']:,.0f} x the province's 2020 census total / its {later['year']} resident population "
            f"({province_2020:,} / {later['province_total']:,.0f}) = {pop['total']:,.0f}"
        )
    elif pop.get("total") is None:
        growth = sum(structure.values()) / sum(structure_2010.values())
        pop["total"] = round(pop["total_2010"] * growth)
        pop["derived"] = (
            f"the 2020 census total is not at hand: the 2010 census total {pop['total_2010']:,.0f} x the province's "
            f"2010-2020 census growth ({growth:.6f}) = {pop['total']:,.0f}"
        )
    counts = scaled_population(
        structure, int(pop["total"]), _int(pop.get("male")), _int(pop.get("female")), pop.get("bands") or None
    )
    known = (
        "total"
        + (" and sexes" if pop.get("male") is not None else "")
        + (" and broad age groups (raked, IPF)" if pop.get("bands") else "")
    )
    method = (
        f"province's 2020 census structure by sex and age group scaled to the place's census {known}; whole persons by "
        "largest remainder within each sex" + (f"; {pop['derived']}" if pop.get("derived") else "")
    )
    source = ";".join(
        dict.fromkeys(
            filter(
                None,
                ";".join(
                    filter(None, (pop.get("source"), (pop.get("later") or {}).get("source"), PROVINCE_SOURCE))
                ).split(";"),
            )
        )
    )
    return ["sex", "age", "value", "unit", "source", "method"], [
        [sex, g, counts[sex, g], "persons", source, method] for sex in SEXES for g in GROUPS
    ]


def _int(value):
    return None if value is None else int(value)


def mortality_rows(figures: Figures, china: Path, srb_of_year) -> tuple[tuple[list[str], list[list]], str]:
    """The national mx schedule; × k (proportional scaling, every period, so a Lee–Carter fit keeps its
    index) when the province's e0 is cited."""
    header, rows = _read(china / "mortality.csv")
    e0 = figures.life_expectancy
    factor, method = 1.0, "borrowed: national schedule (data/china, WPP 2024); no provincial life expectancy cited"
    if e0:
        year = int(e0.get("year", 2020))
        period = next(r["year"] for r in rows if int(r["year"].split("-")[0]) <= year <= int(r["year"].split("-")[-1]))
        widths = np.array([1, 4] + [5] * 19 + [0], dtype=float)
        mx = {s: np.array([float(r["value"]) for r in rows if r["year"] == period and r["sex"] == s]) for s in SEXES}
        srb = srb_of_year(year)
        factor = scale_to_life_expectancy(mx, widths, float(e0["value"]), {"male": srb, "female": 1.0})
        method = (
            f"national schedule x {factor:.6f} (proportional mx scaling solved for the province's e0 {e0['value']} in "
            f"{year}, both sexes, births weighted by the sex ratio at birth {srb:.3f})"
        )
    source = ";".join(filter(None, ("WPP2024", e0.get("source") if e0 else None)))
    out = [
        [
            r["year"],
            r["sex"],
            r["age"],
            r["measure"],
            _g(float(r["value"]) * factor) if factor != 1.0 else r["value"],
            r["unit"],
            source,
            method,
        ]
        for r in rows
    ]
    return (["year", "sex", "age", "measure", "value", "unit", "source", "method"], out), method


class Nation:
    """The national bundle's figures the derivations use (yuan, persons); a year without a figure
    takes the nearest year's (the year used is returned with it)."""

    def __init__(self, region):
        self.region = region
        _, rows = _read(region.path / region.files["insured"]["path"])
        #: the source ids of each year's national counts (employee pool, all)
        self.insured_sources = {
            int(r["year"]): r["source"] for r in rows if r["pool"] == "employee" and r["status"] == "all"
        }

    def insured(self, year: int, pool: str, status: str = "all") -> float:
        ins = self.region.insured
        years = [int(y) for y in ins["year"].values if np.isfinite(float(ins.sel(year=y, pool=pool, status=status)))]
        nearest = min(years, key=lambda y: (abs(y - year), -y))
        return float(ins.sel(year=nearest, pool=pool, status=status)), nearest

    def source(self, table: str, year: int, **keys) -> str:
        """The source ids of the national row a derived row uses (insured: the year's counts)."""
        if table == "insured":
            return self.insured_sources.get(year, "")
        df = self.region.fund_history
        sel = df[
            (df["year"] == year)
            & (df["account"] == keys.get("account", "total"))
            & (df["pool"] == keys["pool"])
            & (df["item"] == keys["item"])
        ]
        return str(sel["source"].iloc[0]) if len(sel) and isinstance(sel["source"].iloc[0], str) else ""

    def fund(self, pool: str, item: str, year: int) -> tuple[float, int]:
        series = self.region.fund(pool, item).dropna()
        nearest = min((int(y) for y in series.index), key=lambda y: (abs(y - year), -y))
        return float(series[nearest]), nearest


def insured_counts(figures: Figures, nation: Nation) -> list[list]:
    """Rows year, pool, status, value, unit, report_type, source, note (persons)."""
    ins = figures.insured
    year, src = ins["year"], ins["source"]
    pools = {k: dict(v) for k, v in ins["pools"].items()}
    rows, given = [], "local_report"
    national = {p: nation.insured(year, p)[0] for p in ("employee", "resident")}
    registered = figures.population.get("registered") if ins.get("scope") == "registered" else None
    if registered:
        factor = figures.population["total"] / registered
        scope = (
            f"the bureau's count of registered (户籍) insured x {factor:.6f} (the census population "
            f"{figures.population['total']:,.0f} / the registered population {registered:,.0f}): insured persons "
            "living in the place"
        )
        pools = {k: {s: round(v * factor) for s, v in entry.items()} for k, entry in pools.items()}
        for entry in pools.values():
            entry["_note"] = scope
        src = ";".join(filter(None, (src, figures.population.get("registered_source"))))
        if ins.get("total") is not None:
            ins = {**ins, "total": round(ins["total"] * factor), "_scope": scope}
    if not pools:
        total, how = ins.get("total"), ins.get("_scope", "the bureau's total")
        if total is None:
            coverage = ins["coverage"]
            if coverage == "national":
                coverage = sum(national.values()) / float(nation.region.base_population.sum())
            total = coverage * figures.population["total"]
            how = f"coverage {coverage:g} x the census population {figures.population['total']:,.0f}"
            given = "derived"
        for pool in ("employee", "resident"):
            share = national[pool] / sum(national.values())
            pools[pool] = {"all": round(total * share)}
            pools[pool]["_note"] = (
                f"{how}; split by the national {year} share of the {pool} pool ({share:.4f}): the local split is not "
                "published"
            )
    for pool in ("employee", "resident"):
        entry = pools.get(pool)
        if entry is None:
            raise _missing(figures, pool)
        note = entry.pop("_note", "")
        kind = "derived" if note else given
        if "all" not in entry:
            entry["all"] = entry.get("in_service", 0) + entry.get("retired", 0)
        rows.append(
            [
                year,
                pool,
                "all",
                _g(entry["all"]),
                "人",
                kind,
                ";".join(filter(None, (src, nation.source("insured", year) if note else ""))),
                note or "as published",
            ]
        )
        if pool == "employee":
            retired_share = nation.insured(year, "employee", "retired")[0] / nation.insured(year, "employee", "all")[0]
            for status, share in (("in_service", 1 - retired_share), ("retired", retired_share)):
                if status in entry:
                    rows.append([year, pool, status, _g(entry[status]), "人", given, src, "as published"])
                else:
                    rows.append(
                        [
                            year,
                            pool,
                            status,
                            _g(round(entry["all"] * share)),
                            "人",
                            "derived",
                            ";".join(filter(None, (src, nation.source("insured", year)))),
                            f"employee count x the national {year} {status} share ({share:.4f}): not published locally",
                        ]
                    )
    return rows + insured_history(rows, nation, year, figures.base_year)


def insured_history(rows: list[list], nation, year: int, base: int) -> list[list]:
    """The years from two before the base year (or the counts' year, if earlier) to the base year,
    other than the counts' own year: the nation's counts x the local / national ratio of the
    counts' year (one ratio per pool, so the statuses keep the nation's proportions); labelled."""
    ins = nation.region.insured
    local_all = {r[1]: float(r[3]) for r in rows if r[2] == "all"}
    years = [y for y in range(min(year, base - HISTORY_YEARS), base + 1) if y != year]
    out = []
    for _, pool, status, *_ in rows:
        series = pd.Series({int(y): float(ins.sel(year=y, pool=pool, status=status)) for y in ins["year"].values})
        series[year] = nation.insured(year, pool, status)[0]
        local = local_all[pool] / nation.insured(year, pool)[0] * series[year]
        for r in history_rows(
            series,
            year,
            local,
            years,
            [pool, status],
            ["人", "derived", nation.source("insured", year)],
            f"{pool} {status} count",
        ):
            out.append([r[0], r[1], r[2], str(round(float(r[3]))) if r[3] else "", *r[4:]])
    return out


def _missing(figures, pool):
    return InputError(
        Problem(
            figures.path,
            f"insured: the {pool} count is missing while the other pool's is given",
            "give both employee and resident counts, or only their total",
            field=f"insured.{pool}",
        )
    )
