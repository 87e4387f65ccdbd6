"""A bureau's local figures (FIGURES.yaml) for ``forecast init-region``: read, checked, in yuan and persons.

The schema (docs/reference/init-region.md; a commented example in examples/figures.yaml; the same fields in the input template of ``forecast template``)::

    name: 黔东南州            # required; name_en, level (prefecture|county), illustration, notes optional
    base_year: 2023           # optional: the fund base year (default insured.year; later: counts carried forward)
    population:               # the place's 2020 census (第七次全国人口普查公报), persons
      total: 3758622          # when the 2020 total is not at hand: later: {year, total, province_total,
                              # source} (scaled back with the province's growth), or total_2010
      male: ..., female: ...  # optional
      ages: {0-14: .., 15-59: .., 60-64: .., 65+: ..}   # optional, disjoint broad groups
      registered: 4899310     # optional: the registered (户籍) population, for insured.scope: registered
      registered_source: ID
      source: ID
    life_expectancy: {value: 79.5, year: 2020, source: ID}   # optional: the province's e0
    insured:
      year: 2023
      unit: 万人
      employee: 14.3          # or {all: .., in_service: .., retired: ..}
      resident: 38
      total: 52.3             # alone when the split is not published
      scope: registered       # optional: counts by household registration (default resident)
      coverage: 0.95          # alone when no count is published: share of the population insured ('national': the nation's)
      source: ID
    funds:                    # full or partial years
      - {year: 2023, months: 5, unit: 万元, source: ID,
         employee: {income: .., expenditure: .., reserve: ..}, resident: {...}, medical_assistance: {...}}
    sources: {ID: {title: .., publisher: .., date: .., url: .., read_via: ..}}

Every problem is located (file, line, field) and ends the command with exit code 2.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import InputError, Problem
from ...inputs.plausibility import POPULATION_ALLOWANCE
from ...inputs.yamlfile import read_yaml
from ...units import whole_number
from .figures_reader import FigureReader as _Reader

__all__ = ["Figures", "FundYear", "read_figures", "figures_from", "FUND_POOLS"]

FUND_POOLS = ("employee", "resident", "medical_assistance")
#: the census the bundle's population starts from, and the latest year a count can be for
CENSUS_YEAR = 2020
THIS_YEAR = dt.date.today().year
FUND_ITEMS = ("income", "expenditure", "reserve")
TOP_KEYS = {"base_year", "name", "name_en", "level", "province", "illustration", "notes", "population", "life_expectancy", "insured", "funds", "sources"}


@dataclass(frozen=True)
class FundYear:
    """One reported fund year: ``months`` covered (12: the full year); figures in yuan by (pool, item)."""

    year: int
    months: int
    figures: dict
    source: str
    note: str = ""


@dataclass(frozen=True)
class Figures:
    path: Path
    name: str
    name_en: str
    level: str
    province: str | None
    population: dict
    insured: dict
    funds: list
    sources: dict
    base_year: int = 0
    life_expectancy: dict | None = None
    illustration: bool = False
    notes: str = ""
    lines: dict = field(default_factory=dict)


def _population(r: _Reader, doc) -> dict:
    node = r.mapping(doc, "population")
    if not node:
        return {}
    derivable = "total_2010" in node or "later" in node
    out = {k: r.number(node, k, "人", "population.", "persons", required=(k == "total" and not derivable), positive=k in ("total", "registered")) for k in ("total", "male", "female", "registered")}
    out["total_2010"] = r.number(node, "total_2010", "人", "population.", "persons", positive=True)
    later = node.get("later")
    if later is not None:
        fields = {k: r.number(later, k, "人", "population.later.", "persons", required=True, positive=True) for k in ("total", "province_total")} if isinstance(later, dict) else {}
        year = later.get("year") if isinstance(later, dict) else None
        if not isinstance(year, int) or not 2021 <= year <= 2100 or None in fields.values():
            r.fail(node, "later", "must be {year: a year after 2020, total: .., province_total: .., source: ..}", "give the place's and the province's resident population of the same later year", later, "population.")
        else:
            out["later"] = {**fields, "year": year, "source": r.source_id(later, "source", "population.later.")}
    if None not in (out["male"], out["female"], out["total"]) and out["male"] + out["female"] != out["total"]:
        r.fail(node, "total", f"male {out['male']:,.0f} + female {out['female']:,.0f} is not the total {out['total']:,.0f}", "give the census bulletin's figures", prefix="population.")
    bands = {}
    ages = node.get("ages") or {}
    if not isinstance(ages, dict):
        r.fail(node, "ages", "must map broad age groups to counts", "write e.g. ages: {0-14: .., 15-59: .., 60-64: .., 65+: ..}", type(ages).__name__, "population.")
        ages = {}
    for label in ages:
        text = str(label)
        lo, _, hi = text.rstrip("+").partition("-")
        if whole_number(lo) is None or (hi and whole_number(hi) is None) or (not hi and not text.endswith("+")):
            r.fail(node, "ages", f"age group '{text}' is not a group like 0-14 or 65+", "write groups as FIRST-LAST or FIRST+", text, "population.")
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
    fix = "give the census bulletin's disjoint groups covering every age, e.g. {0-14: .., 15-59: .., 60-64: .., 65+: ..}, adding up to population.total"
    spans = sorted((lo, float("inf") if hi is None else hi) for lo, hi in bands)
    expected = 0
    for lo, hi in spans:
        if lo != expected or hi < lo:
            what = "overlap" if lo < expected else "leave out ages" if lo > expected else "are not ordered"
            r.fail(node, "ages", f"the age groups {what} (at age {min(lo, expected)})", fix, prefix="population.")
            return
        expected = hi + 1
    if expected != float("inf"):
        r.fail(node, "ages", f"the age groups stop at {expected - 1}: the last group must be open, like 65+", fix, prefix="population.")
        return
    if total is not None and sum(bands.values()) != total:
        r.fail(node, "ages", f"the age groups add up to {sum(bands.values()):,.0f}, not the total {total:,.0f}", fix, prefix="population.")


def _insured(r: _Reader, doc, population: float | None, registered: float | None) -> dict:
    node = r.mapping(doc, "insured")
    if not node:
        return {}
    p = "insured."
    unit = r.unit(node, p, "persons", "万人")
    year = node.get("year")
    if not isinstance(year, int) or not CENSUS_YEAR <= year <= THIS_YEAR:
        r.fail(node, "year", f"must be the year of the counts, {CENSUS_YEAR} to {THIS_YEAR} (the bundle projects from the {CENSUS_YEAR} census to it)", "write the year the bureau's counts refer to, e.g. 2023", year, p)
    out = {"year": year, "source": r.source_id(node, "source", p), "pools": {}, "scope": r.text(node, "scope", "resident", p)}
    if out["scope"] not in ("resident", "registered"):
        r.fail(node, "scope", "must be resident (counts of people living in the place) or registered (counts by 户籍)", "write scope: registered when the bureau counts by household registration", out["scope"], p)
    if out["scope"] == "registered":
        if registered is None:
            r.fail(node, "scope", "counts by registration need the registered population", "give population.registered (户籍人口) with its source", prefix=p)
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
            r.fail(node, "coverage", f"coverage {value:g} is above 1 (100% of the population)", "write the share of the population insured as a fraction, e.g. 0.95", coverage, p)
        elif value is not None:
            out["coverage"] = value
    if not out["pools"] and out["total"] is None and coverage is None:
        r.fail(node, "total", "no insured count: give employee and resident, or total, or coverage", "add the bureau's 参保人数", prefix=p)
    counted = out["total"] if out["total"] is not None else sum(v.get("all", v.get("in_service", 0) + v.get("retired", 0)) for v in out["pools"].values())
    if population and counted and counted > POPULATION_ALLOWANCE * population:
        r.fail(node, "total" if out["total"] is not None else next(iter(out["pools"])), f"{counted:,.0f} insured persons, more than the population ({population:,.0f}) allows (at most {POPULATION_ALLOWANCE:g} times it: insured persons registered here but living elsewhere)", "check the unit (人 or 万人) and the figures; the population is population.total", prefix=p)
    return out


def _funds(r: _Reader, doc) -> list[FundYear]:
    entries = doc.get("funds") or []
    if not isinstance(entries, list):
        r.fail(doc, "funds", "must be a list of fund years", "write '- year: 2023' entries, see examples/figures.yaml", None)
        return []
    out = []
    for i, node in enumerate(entries):
        p = f"funds[{i}]."
        if not isinstance(node, dict):
            r.fail(doc, "funds", f"entry {i + 1} is not a mapping", "give year, months, unit and the pools' figures")
            continue
        unit = r.unit(node, p, "yuan", "万元")
        year, months = node.get("year"), node.get("months", 12)
        if not isinstance(year, int) or not 1998 <= year <= THIS_YEAR:
            r.fail(node, "year", f"must be the fund year, at most {THIS_YEAR}", "write e.g. 2023", year, p)
            continue
        if not isinstance(months, int) or not 1 <= months <= 12:
            r.fail(node, "months", "must be the months covered, 1 to 12 (12: the full year)", "write e.g. 5 for January-May", months, p)
            continue
        figures = {}
        for pool in FUND_POOLS:
            block = node.get(pool)
            if block is None:
                continue
            if not isinstance(block, dict):
                r.fail(node, pool, "must map income, expenditure and reserve to figures", "see examples/figures.yaml", block, p)
                continue
            values = {item: r.number(block, item, unit, f"{p}{pool}.", "yuan") for item in FUND_ITEMS}
            if values["income"] and not values["expenditure"]:
                r.fail(block, "expenditure", f"{pool} {year}: income {values['income']:,.0f} yuan but no expenditure", "give the expenditure of the same months (a fund year with income has expenditure)", block.get("expenditure"), f"{p}{pool}.")
            figures.update({(pool, item): v for item, v in values.items() if v is not None})
        if any(f.year == year for f in out):
            r.fail(node, "year", f"a second entry for {year}", "give one entry per year: the full year (months: 12) when you have it, else the latest months to date", year, p)
            continue
        out.append(FundYear(year, months, figures, r.source_id(node, "source", p), r.text(node, "note", "", p)))
    return out


def read_figures(path: Path | str) -> Figures:
    """FIGURES.yaml (or the filled input template, .xlsx) read and checked; an :class:`InputError`
    listing every problem."""

    path = Path(path)
    if not path.exists():
        raise InputError(Problem(path, "file not found", "give the path of your figures file (see examples/figures.yaml)"))
    if path.suffix.lower() == ".xlsx":  # the input template (forecast template), filled in
        from .template import read_template

        doc, reader = read_template(path)
        return figures_from(doc, path, reader)
    return figures_from(read_yaml(path), path, _Reader(path))


def figures_from(doc, path: Path, r) -> Figures:
    """The figures of ``doc`` (FIGURES.yaml's fields, read from a file or a filled template) checked
    with the located reader ``r``; an :class:`InputError` listing every problem."""
    if not isinstance(doc, dict):
        raise InputError(Problem(path, "must be a mapping of fields (name, population, insured, funds, sources)", "see examples/figures.yaml"))
    for key in doc:
        if key not in TOP_KEYS:
            r.fail(doc, key, f"unknown field '{key}'", f"use only {', '.join(sorted(TOP_KEYS))}")
    name = r.text(doc, "name").strip()
    if not name:
        r.fail(doc, "name", "is required", "give the place's name, e.g. 黔东南州")
    level = doc.get("level", "prefecture")
    if level not in ("prefecture", "county"):
        r.fail(doc, "level", "must be prefecture or county", "write level: prefecture", level)
    population = _population(r, doc)
    insured = _insured(r, doc, population.get("total"), population.get("registered"))
    funds = _funds(r, doc)
    base_year = doc.get("base_year", insured.get("year"))
    if not isinstance(base_year, int) or (isinstance(insured.get("year"), int) and base_year < insured["year"]) or any(f.year > base_year for f in funds):
        r.fail(doc, "base_year", "must be a year no earlier than insured.year and no earlier than any fund year", "leave it out (the insured counts' year), or give a later year to carry the counts forward with the nation's", base_year)
    e0 = doc.get("life_expectancy")
    if e0 is not None:
        value = r.number(e0, "value", "", "life_expectancy.", "year") if isinstance(e0, dict) else None
        if value is None or not 40 <= value <= 100:
            r.fail(doc, "life_expectancy", "must be {value: e0 in years (40-100), year: .., source: ..}", "give the province's published life expectancy at birth", e0)
    sources = r.sources(doc)
    cited = {population.get("source"), population.get("registered_source"), population.get("later", {}).get("source"), insured.get("source"), *(f.source for f in funds), *([r.source_id(e0, "source", "life_expectancy.")] if isinstance(e0, dict) else [])}
    for sid in sorted(s for s in cited if s):
        for one in sid.split(";"):
            if one not in sources:
                r.fail(doc, "sources", f"source id '{one}' is cited but not in 'sources:'", "add it with its title, publisher, date and url")
    notes = r.text(doc, "notes").strip()
    if r.problems:
        raise InputError(r.problems)
    return Figures(
        path=path,
        name=name,
        name_en=r.text(doc, "name_en", name) or name,
        level=level,
        province=r.text(doc, "province", None),
        population=population,
        insured=insured,
        funds=funds,
        sources=sources,
        base_year=base_year,
        life_expectancy=dict(e0) if isinstance(e0, dict) else None,
        illustration=bool(doc.get("illustration", False)),
        notes=notes,
    )
