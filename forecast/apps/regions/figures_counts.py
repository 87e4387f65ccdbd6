"""The persons of a bureau's figures (FIGURES.yaml, :mod:`forecast.apps.regions.figures`): the
place's census population (total, by sex, broad age groups that must be disjoint, cover every age and
add up to the total; the registered population; a later count to scale back) and the insured counts
(by pool, or a total, or a coverage share; by residence or registration), read with the located
reader and checked against each other. Persons throughout.
"""

from __future__ import annotations

import datetime as dt

from ...inputs.plausibility import POPULATION_ALLOWANCE
from ...units import whole_number
from .figures_reader import FigureReader as _Reader

__all__ = ["population_counts", "insured_counts", "CENSUS_YEAR", "THIS_YEAR"]

#: the census the bundle's population starts from, and the latest year a count can be for
CENSUS_YEAR = 2020
THIS_YEAR = dt.date.today().year


def population_counts(r: _Reader, doc) -> dict:
    node = r.mapping(doc, "population")
    if not node:
        return {}
    derivable = "total_2010" in node or "later" in node
    out = {
        k: r.number(
            node,
            k,
            "人",
            "population.",
            "persons",
            required=(k == "total" and not derivable),
            positive=k in ("total", "registered"),
        )
        for k in ("total", "male", "female", "registered")
    }
    out["total_2010"] = r.number(node, "total_2010", "人", "population.", "persons", positive=True)
    later = node.get("later")
    if later is not None:
        fields = (
            {
                k: r.number(later, k, "人", "population.later.", "persons", required=True, positive=True)
                for k in ("total", "province_total")
            }
            if isinstance(later, dict)
            else {}
        )
        year = later.get("year") if isinstance(later, dict) else None
        if not isinstance(year, int) or not 2021 <= year <= 2100 or None in fields.values():
            r.fail(
                node,
                "later",
                "must be {year: a year after 2020, total: .., province_total: .., source: ..}",
                "give the place's and the province's resident population of the same later year",
                later,
                "population.",
            )
        else:
            out["later"] = {**fields, "year": year, "source": r.source_id(later, "source", "population.later.")}
    if None not in (out["male"], out["female"], out["total"]) and out["male"] + out["female"] != out["total"]:
        r.fail(
            node,
            "total",
            f"male {out['male']:,.0f} + female {out['female']:,.0f} is not the total {out['total']:,.0f}",
            "give the census bulletin's figures",
            prefix="population.",
        )
    bands = {}
    ages = node.get("ages") or {}
    if not isinstance(ages, dict):
        r.fail(
            node,
            "ages",
            "must map broad age groups to counts",
            "write e.g. ages: {0-14: .., 15-59: .., 60-64: .., 65+: ..}",
            type(ages).__name__,
            "population.",
        )
        ages = {}
    for label in ages:
        text = str(label)
        lo, _, hi = text.rstrip("+").partition("-")
        if whole_number(lo) is None or (hi and whole_number(hi) is None) or (not hi and not text.endswith("+")):
            r.fail(
                node,
                "ages",
                f"age group '{text}' is not a group like 0-14 or 65+",
                "write groups as FIRST-LAST or FIRST+",
                text,
                "population.",
            )
            continue
        count = r.number(node["ages"], label, "人", "population.ages.", "persons")
        if count is not None:
            bands[(int(lo), int(hi) if hi else None)] = count
    _check_bands(r, node, bands, out["total"])
    out["bands"] = bands
    out["source"] = r.source_id(node, "source", "population.")
    out["registered_source"] = r.source_id(node, "registered_source", "population.")
    return out


def _check_bands(r: _Reader, node, bands: dict, total: float | None) -> None:
    """Broad age groups must be disjoint, cover every age (0 to an open group) and add up to the
    total: the raking puts each group's count on its ages, so a gap or a wrong sum would put the
    difference on the ages left out."""
    if not bands:
        return
    fix = (
        "give the census bulletin's disjoint groups covering every age, "
        "e.g. {0-14: .., 15-59: .., 60-64: .., 65+: ..}, adding up to population.total"
    )
    spans = sorted((lo, float("inf") if hi is None else hi) for lo, hi in bands)
    expected = 0
    for lo, hi in spans:
        if lo != expected or hi < lo:
            what = "overlap" if lo < expected else "leave out ages" if lo > expected else "are not ordered"
            r.fail(node, "ages", f"the age groups {what} (at age {min(lo, expected)})", fix, prefix="population.")
            return
        expected = hi + 1
    if expected != float("inf"):
        r.fail(
            node,
            "ages",
            f"the age groups stop at {expected - 1}: the last group must be open, like 65+",
            fix,
            prefix="population.",
        )
        return
    if total is not None and sum(bands.values()) != total:
        r.fail(
            node,
            "ages",
            f"the age groups add up to {sum(bands.values()):,.0f}, not the total {total:,.0f}",
            fix,
            prefix="population.",
        )


def insured_counts(r: _Reader, doc, population: float | None, registered: float | None) -> dict:
    node = r.mapping(doc, "insured")
    if not node:
        return {}
    p = "insured."
    unit = r.unit(node, p, "persons", "万人")
    year = node.get("year")
    if not isinstance(year, int) or not CENSUS_YEAR <= year <= THIS_YEAR:
        r.fail(
            node,
            "year",
            f"must be the year of the counts, {CENSUS_YEAR} to {THIS_YEAR} "
            f"(the bundle projects from the {CENSUS_YEAR} census to it)",
            "write the year the bureau's counts refer to, e.g. 2023",
            year,
            p,
        )
    out = {
        "year": year,
        "source": r.source_id(node, "source", p),
        "pools": {},
        "scope": r.text(node, "scope", "resident", p),
    }
    if out["scope"] not in ("resident", "registered"):
        r.fail(
            node,
            "scope",
            "must be resident (counts of people living in the place) or registered (counts by 户籍)",
            "write scope: registered when the bureau counts by household registration",
            out["scope"],
            p,
        )
    if out["scope"] == "registered":
        if registered is None:
            r.fail(
                node,
                "scope",
                "counts by registration need the registered population",
                "give population.registered (户籍人口) with its source",
                prefix=p,
            )
        else:
            population = float(registered)
    for pool in ("employee", "resident"):
        value = node.get(pool)
        if isinstance(value, dict):
            parts = {s: r.number(value, s, unit, f"{p}{pool}.", "persons") for s in ("all", "in_service", "retired")}
            out["pools"][pool] = {k: v for k, v in parts.items() if v is not None}
        elif value is not None:
            count = r.number(node, pool, unit, p, "persons")
            if count is not None:
                out["pools"][pool] = {"all": count}
    out["total"] = r.number(node, "total", unit, p, "persons")
    coverage = node.get("coverage")
    if coverage == "national":
        out["coverage"] = "national"
    elif coverage is not None:
        value = r.number(node, "coverage", "", p, "ratio")
        if value is not None and value > 1:
            r.fail(
                node,
                "coverage",
                f"coverage {value:g} is above 1 (100% of the population)",
                "write the share of the population insured as a fraction, e.g. 0.95",
                coverage,
                p,
            )
        elif value is not None:
            out["coverage"] = value
    if not out["pools"] and out["total"] is None and coverage is None:
        r.fail(
            node,
            "total",
            "no insured count: give employee and resident, or total, or coverage",
            "add the bureau's 参保人数",
            prefix=p,
        )
    counted = (
        out["total"]
        if out["total"] is not None
        else sum(v.get("all", v.get("in_service", 0) + v.get("retired", 0)) for v in out["pools"].values())
    )
    if population and counted and counted > POPULATION_ALLOWANCE * population:
        r.fail(
            node,
            "total" if out["total"] is not None else next(iter(out["pools"])),
            f"{counted:,.0f} insured persons, more than the population ({population:,.0f}) allows "
            f"(at most {POPULATION_ALLOWANCE:g} times it: insured persons registered here but living elsewhere)",
            "check the unit (人 or 万人) and the figures; the population is population.total",
            prefix=p,
        )
    return out
