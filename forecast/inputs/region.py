"""Region data bundles: :func:`load_region` reads and validates one into a :class:`Region`.

A bundle is a folder with ``region.yaml`` and the tidy CSV files declared in
:mod:`forecast.inputs.schema`. Everything a user can get wrong ends in an
:class:`~forecast.errors.InputError` that names the file, line and field.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import xarray as xr

from ..errors import InputError, Problem
from ..vocabulary import LEVELS, POOLS, SEXES, STATUSES
from .plausibility import check_bundle
from .schema import REQUIRED_TABLES, TABLES
from .tables import read_table
from .yamlfile import LineDict, read_yaml

__all__ = ["Region", "load_region"]

_REGION_KEYS = {
    "name": "the region's name, e.g. 中国 or 拉萨市",
    "name_en": "the region's English name",
    "level": f"one of {', '.join(LEVELS)}",
    "base_year": "the year of the base population, e.g. 2020",
    "population_date": "the reference date of the base population, e.g. 2020-11-01",
    "currency": "CNY",
    "description": "free text",
    "illustration": "true when the bundle is an illustration, not official data",
    "files": "the bundle's CSV files, each with its path and sources",
    "sources": "the source register: id -> title, publisher, date, url",
}


@dataclass(frozen=True)
class Region:
    """A validated region bundle. Arrays carry ``attrs["units"]``; money is in yuan.

    Demographic tables keep the age groups and periods of their files: dimension
    ``age_group`` (labels such as ``'35-39'``, with coordinates ``age_start`` and
    ``age_end``; the open top group has ``age_end = -1``) and dimension ``period`` (labels
    such as ``'2020-2024'``, with ``year_start`` and ``year_end``). Graduation to single
    years of age is the population stage's job.
    """

    path: Path
    name: str
    level: str
    base_year: int
    population_date: dt.date
    currency: str
    metadata: dict
    sources: dict
    base_population: xr.DataArray
    mortality: xr.DataArray
    fertility: xr.DataArray
    sex_ratio_at_birth: xr.DataArray
    insured: xr.DataArray
    fund_history: pd.DataFrame
    financing: pd.DataFrame
    cost_curves: xr.DataArray
    disability_prevalence: xr.DataArray
    total_fertility: xr.DataArray | None = None
    migration: xr.DataArray | None = None
    utilisation: pd.DataFrame | None = None
    claim_sizes: pd.DataFrame | None = None
    monthly_fund: pd.DataFrame | None = None
    files: dict = field(default_factory=dict)
    content_hash: str = ""

    @property
    def illustration(self) -> bool:
        return bool(self.metadata.get("illustration", False))

    def fund(self, pool: str, item: str, account: str = "total") -> pd.Series:
        """One fund-history series (yuan) indexed by year; NaN where not published. Full years only:
        year-to-date rows (``months`` < 12, budget execution) are left out."""
        df = self.fund_history
        sel = df[(df["pool"] == pool) & (df["account"] == account) & (df["item"] == item)]
        if "months" in sel.columns:
            sel = sel[sel["months"] == 12]
        series = sel.set_index("year")["value"].sort_index()
        series.attrs["units"] = "yuan"
        return series

    def use(self, year: int, pool: str, service: str, indicator: str) -> float:
        """One published utilisation figure (canonical unit); NaN when absent."""
        df = self.utilisation
        if df is None:
            return float("nan")
        sel = df[(df["year"] == year) & (df["pool"] == pool) & (df["service"] == service) & (df["indicator"] == indicator)]
        return float(sel["value"].iloc[0]) if len(sel) else float("nan")

    def claim(self, service: str, parameter: str, level: str = "all") -> float:
        """One claim-size parameter; NaN when absent."""
        df = self.claim_sizes
        if df is None:
            return float("nan")
        sel = df[(df["service"] == service) & (df["level"] == level) & (df["parameter"] == parameter)]
        return float(sel["value"].iloc[0]) if len(sel) else float("nan")

    def until(self, year: int) -> Region:
        """The bundle as it was known at the end of ``year``: every dated figure after it dropped
        (fund history, insured persons, benefit use, financing standards). Demographic tables
        are kept (the census and the WPP schedules are the population stage's inputs)."""
        import dataclasses

        def cut(df):
            return None if df is None else df[df["year"] <= year].reset_index(drop=True)

        return dataclasses.replace(
            self,
            insured=self.insured.sel(year=self.insured["year"] <= year),
            fund_history=cut(self.fund_history),
            financing=cut(self.financing),
            utilisation=cut(self.utilisation),
            monthly_fund=cut(self.monthly_fund),
            metadata={**self.metadata, "as_of": year},
            content_hash=f"{self.content_hash}@{year}",
        )

    def summary(self) -> str:
        """A short plain-text summary: population, insured, last fund year."""
        from ..results.report import region_summary

        return region_summary(self)


# ----------------------------------------------------------------------------- reading


def load_region(path: Path | str) -> Region:
    """Read and validate the region bundle in folder ``path`` (or its ``region.yaml``).

    Raises :class:`~forecast.errors.InputError` listing every problem found.

    >>> from forecast import load_region
    >>> china = load_region("data/china")  # doctest: +SKIP
    >>> int(china.base_population.sum())  # doctest: +SKIP
    1409778724
    """
    path = Path(path)
    folder = path.parent if path.name == "region.yaml" else path
    yaml_path = folder / "region.yaml"
    if folder.is_file():
        raise InputError(Problem(folder, "is a file, not a region bundle folder", "give the bundle's folder (the one holding region.yaml), e.g. data/china"))
    if not folder.is_dir():
        what = "a link that leads back to itself" if folder.is_symlink() else "no such folder"
        raise InputError(Problem(folder, what, "give the path of a region bundle folder, e.g. data/china"))
    if not yaml_path.is_file():
        raise InputError(
            Problem(yaml_path, "file not found: a region bundle needs a region.yaml", "see the README section 'Region data bundle'")
        )
    meta = read_yaml(yaml_path)
    problems: list[Problem] = []
    meta = _check_metadata(yaml_path, meta, problems)
    if problems:
        raise InputError(problems)

    frames: dict[str, pd.DataFrame] = {}
    for name, spec in meta["files"].items():
        try:
            frames[name] = read_table(folder / spec["path"], TABLES[name])
        except InputError as err:
            problems.extend(err.problems)
    if problems:
        raise InputError(problems)

    check_bundle(folder, meta, frames, problems)
    if problems:
        raise InputError(problems)

    digest = hashlib.sha256(yaml_path.read_bytes())
    for spec in meta["files"].values():
        digest.update((folder / spec["path"]).read_bytes())

    return Region(
        path=folder,
        name=str(meta["name"]),
        level=meta["level"],
        base_year=int(meta["base_year"]),
        population_date=meta["population_date"],
        currency=meta["currency"],
        metadata=dict(meta),
        sources=dict(meta["sources"]),
        base_population=_by_age(frames["base_population"], ["sex"], "base_population"),
        mortality=_by_age(frames["mortality"], ["period", "sex"], "mortality"),
        fertility=_by_age(frames["fertility"], ["period"], "fertility"),
        sex_ratio_at_birth=_by_period(frames["sex_ratio_at_birth"], "sex_ratio_at_birth"),
        insured=_insured(frames["insured"]),
        fund_history=_tidy(frames["fund_history"], ["year", "pool", "account", "item"]),
        financing=_tidy(frames["financing"], ["pool", "parameter", "year"]),
        cost_curves=_by_age(frames["cost_curves"], ["service", "sex"], "cost_curves"),
        disability_prevalence=_by_age(frames["disability_prevalence"], ["sex"], "disability_prevalence"),
        total_fertility=_annual(frames["total_fertility"], "total_fertility") if "total_fertility" in frames else None,
        migration=_by_age(frames["migration"], ["period", "sex"], "migration") if "migration" in frames else None,
        utilisation=_tidy(frames["utilisation"], ["year", "pool", "service", "indicator"]) if "utilisation" in frames else None,
        claim_sizes=_tidy(frames["claim_sizes"], ["service", "level", "parameter"]) if "claim_sizes" in frames else None,
        monthly_fund=_tidy(frames["monthly_fund"], ["year", "pool", "item", "month"]).astype({"month": int}) if "monthly_fund" in frames else None,
        files={name: dict(spec) for name, spec in meta["files"].items()},
        content_hash=digest.hexdigest(),
    )


def _as_date(value) -> dt.date | None:
    """A date from YAML: a date, or an ISO date written in quotes; a date with a time is not one."""
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _check_metadata(yaml_path: Path, meta, problems: list[Problem]):
    if not isinstance(meta, dict):
        problems.append(Problem(yaml_path, "region.yaml must be a mapping of keys to values", "see data/china/region.yaml"))
        return meta
    lines = meta.lines if isinstance(meta, LineDict) else {}
    for key in meta:
        if key not in _REGION_KEYS:
            close = difflib.get_close_matches(str(key), list(_REGION_KEYS), n=1)
            fix = f"did you mean '{close[0]}'?" if close else f"allowed keys: {', '.join(_REGION_KEYS)}"
            problems.append(Problem(yaml_path, f"unknown key '{key}'", fix, lines.get(key), str(key)))
    for key in ("name", "level", "base_year", "population_date", "currency", "files", "sources"):
        if key not in meta:
            problems.append(Problem(yaml_path, f"missing key '{key}'", f"add '{key}:' ({_REGION_KEYS[key]})", field=key))
    if problems:
        return meta
    if meta["level"] not in LEVELS:
        problems.append(Problem(yaml_path, "unknown level", f"use one of {', '.join(LEVELS)}", lines.get("level"), "level", meta["level"]))
    if isinstance(meta["base_year"], bool) or not isinstance(meta["base_year"], int) or not 1950 <= meta["base_year"] <= 2100:
        problems.append(Problem(yaml_path, "base_year must be a year", "write e.g. 2020", lines.get("base_year"), "base_year", meta["base_year"]))
    date = _as_date(meta["population_date"])
    if date is None:
        problems.append(
            Problem(yaml_path, "population_date must be a date (a day, without a time)", "write e.g. 2020-11-01", lines.get("population_date"), "population_date", meta["population_date"])
        )
    else:
        meta["population_date"] = date
        if isinstance(meta["base_year"], int) and date.year != meta["base_year"]:
            problems.append(Problem(yaml_path, f"base_year {meta['base_year']} is not the year of population_date {date.isoformat()}", f"write 'base_year: {date.year}' (the year of the base population)", lines.get("base_year"), "base_year", meta["base_year"]))
    if meta["currency"] != "CNY":
        problems.append(Problem(yaml_path, "only CNY is supported", "write 'currency: CNY'", lines.get("currency"), "currency", meta["currency"]))
    sources = meta["sources"]
    if not isinstance(sources, dict) or not sources:
        problems.append(Problem(yaml_path, "sources must map source ids to descriptions", "see data/china/region.yaml", lines.get("sources"), "sources"))
        sources = {}
    for sid, src in sources.items():
        if not isinstance(src, dict) or "title" not in src:
            line = sources.lines.get(sid) if isinstance(sources, LineDict) else None
            problems.append(Problem(yaml_path, f"source '{sid}' needs at least a title", "add 'title:' (and publisher, date, url)", line, f"sources.{sid}"))
    files = meta["files"]
    if not isinstance(files, dict):
        problems.append(Problem(yaml_path, "files must map table names to {path, sources}", "see data/china/region.yaml", lines.get("files"), "files"))
        return meta
    flines = files.lines if isinstance(files, LineDict) else {}
    for name, spec in files.items():
        line = flines.get(name)
        if name not in TABLES:
            close = difflib.get_close_matches(str(name), list(TABLES), n=1)
            fix = f"did you mean '{close[0]}'?" if close else f"known tables: {', '.join(TABLES)}"
            problems.append(Problem(yaml_path, f"unknown table '{name}'", fix, line, f"files.{name}"))
            continue
        if not isinstance(spec, dict) or not isinstance(spec.get("path"), str) or not spec["path"].strip():
            problems.append(Problem(yaml_path, f"table '{name}' needs a path", f"write '{name}: {{path: {name}.csv, sources: [...]}}'", line, f"files.{name}"))
            continue
        cited = spec.get("sources")
        if not cited or not isinstance(cited, list):
            problems.append(Problem(yaml_path, f"table '{name}' cites no source", "list its source ids under 'sources:'", line, f"files.{name}.sources"))
            continue
        for sid in cited:
            if sid not in sources:
                problems.append(Problem(yaml_path, f"table '{name}' cites unknown source '{sid}'", "add it to the 'sources:' register", line, f"files.{name}.sources"))
    for name in REQUIRED_TABLES:
        if name not in files:
            problems.append(Problem(yaml_path, f"required table '{name}' is not listed", f"add '{name}:' under 'files:' with its path and sources", lines.get("files"), "files"))
    return meta


# ----------------------------------------------------------------------------- arrays


def _age_coords(df: pd.DataFrame) -> tuple[list[str], list[int], list[int]]:
    groups = df.drop_duplicates("age").sort_values("age_start")
    ends = [-1 if pd.isna(e) else int(e) for e in groups["age_end"]]
    return groups["age"].tolist(), groups["age_start"].astype(int).tolist(), ends


def _units(df: pd.DataFrame) -> str:
    units = df["unit"].unique().tolist()
    return units[0] if len(units) == 1 else "mixed"


def _by_age(df: pd.DataFrame, dims: list[str], name: str) -> xr.DataArray:
    labels, starts, ends = _age_coords(df)
    index_levels = []
    coords: dict = {}
    for d in dims:
        if d == "period":
            periods = df.drop_duplicates("year").sort_values("year_start")
            index_levels.append(periods["year"].tolist())
            coords["period"] = ("period", periods["year"].tolist())
            coords["year_start"] = ("period", periods["year_start"].astype(int).tolist())
            coords["year_end"] = ("period", periods["year_end"].astype(int).tolist())
        elif d == "sex":
            index_levels.append(list(SEXES))
            coords["sex"] = list(SEXES)
        else:
            values = sorted(df[d].unique().tolist())
            index_levels.append(values)
            coords[d] = values
    columns = ["year" if d == "period" else d for d in dims]
    table = df.set_index([*columns, "age"])["value"]
    full = pd.MultiIndex.from_product([*index_levels, labels])
    values = table.reindex(full).to_numpy().reshape([len(v) for v in index_levels] + [len(labels)])
    coords.update({"age_group": labels, "age_start": ("age_group", starts), "age_end": ("age_group", ends)})
    da = xr.DataArray(values, dims=[*dims, "age_group"], coords=coords, name=name)
    da.attrs["units"] = _units(df)
    if "measure" in df.columns:
        da.attrs["measure"] = df["measure"].iloc[0]
    return da


def _by_period(df: pd.DataFrame, name: str) -> xr.DataArray:
    df = df.sort_values("year_start")
    da = xr.DataArray(
        df["value"].to_numpy(),
        dims=["period"],
        coords={"period": df["year"].tolist(), "year_start": ("period", df["year_start"].tolist()), "year_end": ("period", df["year_end"].tolist())},
        name=name,
    )
    da.attrs["units"] = _units(df)
    return da


def _annual(df: pd.DataFrame, name: str) -> xr.DataArray:
    df = df.sort_values("year")
    da = xr.DataArray(df["value"].to_numpy(), dims=["year"], coords={"year": df["year"].tolist()}, name=name)
    da.attrs["units"] = _units(df)
    return da


def _insured(df: pd.DataFrame) -> xr.DataArray:
    years = list(range(int(df["year"].min()), int(df["year"].max()) + 1))
    table = df.set_index(["year", "pool", "status"])["value"]
    full = pd.MultiIndex.from_product([years, list(POOLS), list(STATUSES)])
    values = table.reindex(full).to_numpy().reshape(len(years), len(POOLS), len(STATUSES))
    da = xr.DataArray(values, dims=["year", "pool", "status"], coords={"year": years, "pool": list(POOLS), "status": list(STATUSES)}, name="insured")
    da.attrs["units"] = "persons"
    return da


def _tidy(df: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    out = df.drop(columns=["line"]).sort_values(order).reset_index(drop=True)
    out.attrs["units"] = "see the unit column (canonical units)"
    return out
