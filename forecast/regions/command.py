"""``forecast init-region DIR --province NAME --from FIGURES.yaml``: a prefecture bundle from a bureau's figures.

Reads and checks FIGURES.yaml (:mod:`forecast.regions.figures`), builds every table
(:mod:`forecast.regions.build`, :mod:`forecast.regions.accounts`), writes them with
``region.yaml`` and ``SOURCES.md`` into DIR atomically (:func:`forecast.results.writers.write_files`),
then loads the new bundle as ``forecast validate`` would. An existing bundle in DIR (a
``region.yaml``) is refused unless ``--force``; files the command does not write are never touched.
This module imports only the standard library until the command runs (the CLI starts fast).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from pathlib import Path

__all__ = ["register", "cmd_init_region", "run_notes"]

PROVINCE_TITLE = "中国人口普查年鉴-2020, 表1-5 各地区分年龄、性别的人口 ({province}, by sex and age group 0, 1-4, ..., 95-99, 100+)"


def register(command) -> None:
    """The ``init-region`` subcommand; ``command`` makes a subparser with the shared options."""
    p = command("init-region", "build a prefecture bundle from a bureau's local figures, the rest from the province and the nation", region=False)
    p.add_argument("folder", metavar="DIR", help="the bundle folder to create (refused if it holds a bundle, unless --force)")
    p.add_argument("--province", required=True, metavar="NAME", help="the province whose census structure the bundle takes, e.g. 贵州")
    p.add_argument("--from", dest="figures", required=True, metavar="FIGURES.yaml", help="the bureau's figures (README 'Your own prefecture'; examples/figures.yaml)")
    p.add_argument("--force", action="store_true", help="replace the files of an existing bundle in DIR")


def cmd_init_region(args) -> int:
    from ..errors import InputError, Problem
    from ..inputs.region import load_region
    from ..results.writers import write_files
    from .figures import read_figures
    from .province import bare_name

    folder = Path(args.folder)
    if (folder / "region.yaml").exists() and not args.force:
        raise InputError(Problem(folder / "region.yaml", "DIR already holds a region bundle", "give a new folder, or pass --force to replace the bundle's files (files init-region does not write are left as they are)"))
    figures = read_figures(args.figures)
    if figures.province and bare_name(figures.province) != bare_name(args.province):
        raise InputError(Problem(figures.path, f"the figures are for a place in {figures.province}, and --province says {args.province}", "give the same province in both (or leave 'province:' out of the figures)", field="province", value=figures.province))
    files = bundle_files(figures, args.province)
    _check_before_writing(files, folder, figures.path)
    write_files(folder, files, option="DIR", inputs=[args.figures])
    region = load_region(folder)
    print(f"wrote {len(files)} files into {folder}; the bundle validates")
    print(region.summary())
    for line in run_notes(region):
        print(line)
    return 0


def _check_before_writing(files: dict, folder: Path, figures_path) -> None:
    """Load the bundle from a scratch folder first: nothing is written into DIR unless it validates.
    A check the built bundle fails is the figures' fault: it is reported against FIGURES.yaml,
    naming the table it showed in (the file is not written)."""
    import tempfile

    from ..errors import InputError, Problem
    from ..inputs.region import load_region
    from ..results.writers import write_files

    with tempfile.TemporaryDirectory(prefix="init-region.") as scratch:
        write_files(scratch, files, option="DIR")
        try:
            load_region(scratch)
        except InputError as err:
            moved = [Problem(figures_path, f"the bundle built from these figures fails a check ({Path(str(p.file)).name}{f', row {p.line}' if p.line else ''}): {p.message}", f"{p.fix}; the figures (and their units) are in this file") for p in err.problems]
            raise InputError(moved) from None


def bundle_files(figures, province: str) -> dict[str, str]:
    """{file name: text} of the bundle."""
    import yaml

    from ..inputs.region import load_region
    from ..library import shipped
    from . import accounts, build
    from .province import province_structure

    china_path = shipped("data") / "china"
    china = load_region(china_path)
    structure = province_structure(province)
    nation = build.Nation(china)
    tables: dict[str, tuple[list, list]] = {}
    tables["base_population"] = build.population_rows(figures, structure, province_structure(province, 2010))
    tables["mortality"], mortality_method = build.mortality_rows(figures, china_path, _srb(china))
    for name in build.BORROWED:
        tables[name] = build.borrowed_table(china_path, name)
    insured_rows = build.insured_counts(figures, nation)
    tables["insured"] = (["year", "pool", "status", "value", "unit", "report_type", "source", "note"], insured_rows)
    base = figures.base_year
    local = {r[1]: float(r[3]) for r in insured_rows if r[2] == "all" and r[0] == base}
    from ..apps.execution import seasonal_profile

    tables["fund_history"] = (accounts.FUND_HEADER, accounts.fund_rows(figures, nation, seasonal_profile(china), local))
    spent = {r[1]: float(r[4]) for r in tables["fund_history"][1] if r[0] == base and r[2] == "total" and r[3] == "expenditure" and int(r[6]) == 12}
    tables["utilisation"] = (accounts.UTILISATION_HEADER, accounts.utilisation_rows(china, base, spent))
    out = {f"{name}.csv": _csv(header, rows) for name, (header, rows) in tables.items()}
    meta = _region_yaml(figures, province, china, tables)
    out["region.yaml"] = "# Generated by forecast init-region from " + figures.path.name + "; rebuild rather than edit.\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=120)
    out["SOURCES.md"] = _sources_md(figures, province, tables, mortality_method, meta["illustration"])
    return out


def _srb(china):
    """Sex ratio at birth of a year, from the national table's period holding it."""
    srb = china.sex_ratio_at_birth

    def of_year(year: int) -> float:
        inside = srb.where((srb["year_start"] <= year) & (srb["year_end"] >= year), drop=True)
        return float(inside.values[0]) if inside.size else float(srb.values[-1])

    return of_year


def _csv(header, rows) -> str:
    """A bundle table as CSV text; a note beginning like a formula is written as text (a leading ')."""
    import csv
    import io

    from ..results.neutral import csv_cell

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([csv_cell(c) for c in row] for row in rows)
    return buf.getvalue()


def _cited(header, rows) -> list[str]:
    if "source" not in header:
        return []
    i = header.index("source")
    return sorted({s for r in rows for s in str(r[i]).split(";") if s})


def _borrowed_base_year(table, base: int) -> bool:
    """Whether a base-year figure or an opening reserve of the table is borrowed from the nation
    (derived, 'not published locally'): what makes a bundle an illustration. Earlier years derived for the fits (the local
    series taken to move as the nation's), a partial year annualised from the bureau's own months
    and a maternity split the bureau does not make are labelled methods, not borrowed figures."""
    header, rows = table
    year, kind, note = header.index("year"), header.index("report_type"), header.index("note")
    item = header.index("item") if "item" in header else None

    def counts(r) -> bool:  # the base year's figures, and any opening reserve (months covered rest on it)
        return str(r[year]) == str(base) or (item is not None and r[item] == "reserve")

    return any(counts(r) and r[kind] == "derived" and "not published locally" in str(r[note]) for r in rows)


def _region_yaml(figures, province, china, tables) -> dict:
    derived = figures.population.get("derived") or any(_borrowed_base_year(tables[name], figures.base_year) for name in ("insured", "fund_history"))
    illustration = figures.illustration or derived
    files = {name: {"path": f"{name}.csv", "sources": _cited(*tables[name])} for name in tables}
    used = {s for spec in files.values() for s in spec["sources"]}
    register = {k: {f: (str(x) if not isinstance(x, str) else x) for f, x in v.items()} for k, v in china.sources.items() if k in used}
    register[build_source()] = {
        "title": PROVINCE_TITLE.format(province=province),
        "publisher": "国家统计局 (国务院第七次全国人口普查领导小组办公室 编)",
        "date": "2022",
        "url": "http://www.stats.gov.cn/sj/pcsj/rkpc/7rp/zk/indexce.htm",
        "read_via": "GitHub earfanfan/yuanfan static/data/我国人口普查数据整理2010+2020.xlsx; carried in as data/provinces/census_2010_2020_pop_by_age5_sex_province.csv",
    }
    register.update(figures.sources)
    label = " (示例)" if illustration else ""
    return {
        "name": figures.name + label,
        "name_en": figures.name_en + (" (illustration)" if illustration else ""),
        "level": figures.level,
        "base_year": 2020,
        "population_date": dt.date(2020, 11, 1),
        "currency": "CNY",
        "illustration": bool(illustration),
        "description": (
            ("ILLUSTRATION: some figures are derived from national ones (see SOURCES.md). " if illustration else "")
            + f"{figures.name}: the bureau's own figures ({figures.path.name}) with {province}'s 2020 census structure and national "
            "schedules, rules and benefit use borrowed, each labelled. Generated by forecast init-region."
        ),
        "files": files,
        "sources": register,
    }


def build_source() -> str:
    from .build import PROVINCE_SOURCE

    return PROVINCE_SOURCE


def _sources_md(figures, province, tables, mortality_method, illustration) -> str:
    from .sources_text import sources_markdown

    return sources_markdown(figures, province, tables, mortality_method, illustration)


def run_notes(region) -> list[str]:
    """What a run on ``region`` should say about its fund base year: annualised partial years."""
    fh = region.fund_history
    if "report_type" not in fh.columns:
        return []
    rows = fh[fh["report_type"] == "annualised"]
    lines = []
    for (year, pool), group in rows.groupby(["year", "pool"]):
        note = str(group["note"].iloc[0])
        month = re.search(r"January-month (\d{1,2})\b", note)  # the note init-region writes; a hand-made row may differ
        span = f"January–{calendar.month_name[int(month.group(1))]}" if month and 1 <= int(month.group(1)) <= 12 else "a partial year"
        items = " and ".join(sorted(group["item"].unique(), key=lambda item: ["income", "expenditure"].index(item) if item in ("income", "expenditure") else 2))
        lines.append(f"note: {region.name} {pool} {year}: {items} annualised from {span} for the calibration ({'uniform profile' if 'uniform' in note else 'national seasonal profile, interval in fund_history.csv'})")
    return lines
