"""A bureau's local figures (FIGURES.yaml) for ``forecast init-region``: read, checked, in yuan and persons.

The schema (docs/reference/init-region.md; a commented example in examples/figures.yaml; the same fields in the
input template of ``forecast template``)::

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
      coverage: 0.95          # alone when no count is published: share of the population insured
                              # ('national': the nation's)
      source: ID
    funds:                    # full or partial years
      - {year: 2023, months: 5, unit: 万元, source: ID,
         employee: {income: .., expenditure: .., reserve: ..}, resident: {...}, medical_assistance: {...}}
    sources: {ID: {title: .., publisher: .., date: .., url: .., read_via: ..}}

Every problem is located (file, line, field) and ends the command with exit code 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ...errors import InputError, Problem
from ...inputs.yamlfile import read_yaml
from .figures_counts import THIS_YEAR, insured_counts, population_counts
from .figures_reader import FigureReader as _Reader

__all__ = ["Figures", "FundYear", "read_figures", "figures_from", "FUND_POOLS"]

FUND_POOLS = ("employee", "resident", "medical_assistance")
FUND_ITEMS = ("income", "expenditure", "reserve")
TOP_KEYS = {
    "base_year",
    "name",
    "name_en",
    "level",
    "province",
    "illustration",
    "notes",
    "population",
    "life_expectancy",
    "insured",
    "funds",
    "sources",
}


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


def _funds(r: _Reader, doc) -> list[FundYear]:
    entries = doc.get("funds") or []
    if not isinstance(entries, list):
        r.fail(
            doc,
            "funds",
            "must be a list of fund years",
            "write '- year: 2023' entries, see examples/figures.yaml",
            None,
        )
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
            r.fail(
                node,
                "months",
                "must be the months covered, 1 to 12 (12: the full year)",
                "write e.g. 5 for January-May",
                months,
                p,
            )
            continue
        figures = {}
        for pool in FUND_POOLS:
            block = node.get(pool)
            if block is None:
                continue
            if not isinstance(block, dict):
                r.fail(
                    node,
                    pool,
                    "must map income, expenditure and reserve to figures",
                    "see examples/figures.yaml",
                    block,
                    p,
                )
                continue
            values = {item: r.number(block, item, unit, f"{p}{pool}.", "yuan") for item in FUND_ITEMS}
            if values["income"] and not values["expenditure"]:
                r.fail(
                    block,
                    "expenditure",
                    f"{pool} {year}: income {values['income']:,.0f} yuan but no expenditure",
                    "give the expenditure of the same months (a fund year with income has expenditure)",
                    block.get("expenditure"),
                    f"{p}{pool}.",
                )
            figures.update({(pool, item): v for item, v in values.items() if v is not None})
        if any(f.year == year for f in out):
            r.fail(
                node,
                "year",
                f"a second entry for {year}",
                "give one entry per year: the full year (months: 12) when you have it, else the latest months to date",
                year,
                p,
            )
            continue
        out.append(FundYear(year, months, figures, r.source_id(node, "source", p), r.text(node, "note", "", p)))
    return out


def read_figures(path: Path | str) -> Figures:
    """FIGURES.yaml (or the filled input template, .xlsx) read and checked; an :class:`InputError`
    listing every problem."""

    path = Path(path)
    if not path.exists():
        raise InputError(
            Problem(path, "file not found", "give the path of your figures file (see examples/figures.yaml)")
        )
    if path.suffix.lower() == ".xlsx":  # the input template (forecast template), filled in
        from .template import read_template

        doc, reader = read_template(path)
        return figures_from(doc, path, reader)
    return figures_from(read_yaml(path), path, _Reader(path))


def figures_from(doc, path: Path, r) -> Figures:
    """The figures of ``doc`` (FIGURES.yaml's fields, read from a file or a filled template) checked
    with the located reader ``r``; an :class:`InputError` listing every problem."""
    if not isinstance(doc, dict):
        raise InputError(
            Problem(
                path,
                "must be a mapping of fields (name, population, insured, funds, sources)",
                "see examples/figures.yaml",
            )
        )
    for key in doc:
        if key not in TOP_KEYS:
            r.fail(doc, key, f"unknown field '{key}'", f"use only {', '.join(sorted(TOP_KEYS))}")
    name = r.text(doc, "name").strip()
    if not name:
        r.fail(doc, "name", "is required", "give the place's name, e.g. 黔东南州")
    level = doc.get("level", "prefecture")
    if level not in ("prefecture", "county"):
        r.fail(doc, "level", "must be prefecture or county", "write level: prefecture", level)
    population = population_counts(r, doc)
    insured = insured_counts(r, doc, population.get("total"), population.get("registered"))
    funds = _funds(r, doc)
    base_year = doc.get("base_year", insured.get("year"))
    if (
        not isinstance(base_year, int)
        or (isinstance(insured.get("year"), int) and base_year < insured["year"])
        or any(f.year > base_year for f in funds)
    ):
        r.fail(
            doc,
            "base_year",
            "must be a year no earlier than insured.year and no earlier than any fund year",
            "leave it out (the insured counts' year), "
            "or give a later year to carry the counts forward with the nation's",
            base_year,
        )
    e0 = doc.get("life_expectancy")
    if e0 is not None:
        value = r.number(e0, "value", "", "life_expectancy.", "year") if isinstance(e0, dict) else None
        if value is None or not 40 <= value <= 100:
            r.fail(
                doc,
                "life_expectancy",
                "must be {value: e0 in years (40-100), year: .., source: ..}",
                "give the province's published life expectancy at birth",
                e0,
            )
    sources = r.sources(doc)
    cited = {
        population.get("source"),
        population.get("registered_source"),
        population.get("later", {}).get("source"),
        insured.get("source"),
        *(f.source for f in funds),
        *([r.source_id(e0, "source", "life_expectancy.")] if isinstance(e0, dict) else []),
    }
    for sid in sorted(s for s in cited if s):
        for one in sid.split(";"):
            if one not in sources:
                r.fail(
                    doc,
                    "sources",
                    f"source id '{one}' is cited but not in 'sources:'",
                    "add it with its title, publisher, date and url",
                )
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
