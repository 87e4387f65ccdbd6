"""Region data bundles: :func:`load_region` reads and validates one into a :class:`Region`.

A bundle is a folder with ``region.yaml`` and the tidy CSV files declared in
:mod:`forecast.inputs.schema`. Everything a user can get wrong ends in an
:class:`~forecast.errors.InputError` that names the file, line and field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import xarray as xr

from ..errors import InputError, Problem
from ..library import resolve_region
from ..limits import MAX_CSV_BYTES, MAX_YAML_BYTES
from ..memo import Memo
from . import arrays
from .cache import cached
from .files import read_bytes
from .metadata import check_metadata
from .plausibility import check_bundle
from .schema import TABLES
from .summary import region_summary
from .tables import read_table
from .yamlfile import read_yaml

__all__ = ["Region", "load_region"]


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
    #: insured.csv as read (year, pool, status, value, and its report_type, source and note where given)
    insured_table: pd.DataFrame | None = None
    files: dict = field(default_factory=dict)
    content_hash: str = ""

    @property
    def illustration(self) -> bool:
        return bool(self.metadata.get("illustration", False))

    def fund(self, pool: str, item: str, account: str = "total") -> pd.Series:
        """One fund-history series (yuan) indexed by year; NaN where not published. Full years only:
        year-to-date rows (``months`` < 12, budget execution) are left out."""
        series = self._fund_series.get((pool, account, item))
        if series is None:
            series = self.fund_history.iloc[:0].set_index("year")["value"]
        series = series.copy()
        series.attrs["units"] = "yuan"
        return series

    def use(self, year: int, pool: str, service: str, indicator: str) -> float:
        """One published utilisation figure (canonical unit); NaN when absent."""
        return self._first_values("utilisation", ("year", "pool", "service", "indicator")).get(
            (year, pool, service, indicator), float("nan")
        )

    def claim(self, service: str, parameter: str, level: str = "all") -> float:
        """One claim-size parameter; NaN when absent."""
        return self._first_values("claim_sizes", ("service", "level", "parameter")).get(
            (service, level, parameter), float("nan")
        )

    # The lookups above run hundreds of times a run (the calibration and the benefit layers ask for
    # one figure at a time): each table is indexed once per Region, on first use (a Region is read-only).

    @functools.cached_property
    def _fund_series(self) -> dict:
        """(pool, account, item) -> the full years' series by year, in year order."""
        df = self.fund_history
        full = df["months"].eq(12).tolist() if "months" in df.columns else [True] * len(df)
        columns = (df[c].tolist() for c in ("pool", "account", "item", "year", "value"))
        points: dict = {}
        for keep, *key, year, value in zip(full, *columns):
            if keep:
                points.setdefault(tuple(key), []).append((year, value))
        return {key: _by_year(rows, df.attrs) for key, rows in points.items()}

    def _first_values(self, table: str, keys: tuple[str, ...]) -> dict:
        """The value of the first row of each combination of ``keys`` in ``table`` (float)."""
        index = self.__dict__.setdefault("_lookups", {})
        if table not in index:
            df = getattr(self, table)
            index[table] = {}
            if df is not None:
                for *key, value in zip(*(df[k].tolist() for k in keys), df["value"].tolist()):
                    index[table].setdefault(tuple(key), float(value))
        return index[table]

    def until(self, year: int) -> Region:
        """The bundle as it was known at the end of ``year``: every dated figure after it dropped
        (fund history, insured persons, benefit use, financing standards). Demographic tables
        are kept (the census and the WPP schedules are the population stage's inputs)."""

        def cut(df):
            return None if df is None else df[df["year"] <= year].reset_index(drop=True)

        return dataclasses.replace(
            self,
            insured=self.insured.sel(year=self.insured["year"] <= year),
            fund_history=cut(self.fund_history),
            financing=cut(self.financing),
            utilisation=cut(self.utilisation),
            monthly_fund=cut(self.monthly_fund),
            insured_table=cut(self.insured_table),
            metadata={**self.metadata, "as_of": year},
            content_hash=f"{self.content_hash}@{year}",
        )

    def summary(self) -> str:
        """A short plain-text summary: population, insured, last fund year."""
        return region_summary(self)


def _by_year(points: list[tuple], attrs: dict) -> pd.Series:
    """(year, value) ``points`` as a series named ``value`` indexed by ``year``, in year order."""
    points = sorted(points, key=lambda point: point[0])
    series = pd.Series([v for _, v in points], index=pd.Index([y for y, _ in points], name="year"), name="value")
    series.attrs = dict(attrs)
    return series


# ----------------------------------------------------------------------------- reading


def load_region(path: Path | str) -> Region:
    """Read and validate the region bundle in folder ``path`` (or its ``region.yaml``).

    Raises :class:`~forecast.errors.InputError` listing every problem found.

    >>> from forecast import load_region
    >>> china = load_region("data/china")  # doctest: +SKIP
    >>> int(china.base_population.sum())  # doctest: +SKIP
    1409778724
    """
    path = resolve_region(path)  # a shipped bundle's name (wenzhou) from any folder
    folder = path.parent if path.name == "region.yaml" else path
    yaml_path = folder / "region.yaml"
    if folder.is_file():
        raise InputError(
            Problem(
                folder,
                "is a file, not a region bundle folder",
                "give the bundle's folder (the one holding region.yaml), e.g. data/china",
            )
        )
    if not folder.is_dir():
        what = "a link that leads back to itself" if folder.is_symlink() else "no such folder"
        raise InputError(Problem(folder, what, "give the path of a region bundle folder, e.g. data/china"))
    if not yaml_path.is_file():
        raise InputError(
            Problem(yaml_path, "file not found: a region bundle needs a region.yaml", "see docs/reference/bundle.md")
        )
    cached = _CACHE.peek(folder.resolve())
    if cached is not None and cached[0] == _stamps(cached[0]):
        return cached[1]
    region = _read_cached(folder, yaml_path)
    files = (yaml_path, *(folder / spec["path"] for spec in region.files.values()))
    _CACHE.put(folder.resolve(), (_stamps(dict.fromkeys(files)), region))
    return region


#: bundles read in this process: reading and validating a bundle is the slowest step of a run, and
#: a notebook or a batch runs many scenarios on one bundle. An entry is used only while none of
#: its files has changed size or modification time; the Region is then the same object (treat it,
#: like every Region, as read-only).
_CACHE = Memo(8)


def _stamps(files: dict) -> dict:
    """(size, modification time) of each file, None for one that is gone."""
    out = {}
    for f in files:
        try:
            st = f.stat()
            out[f] = (st.st_size, st.st_mtime_ns)
        except OSError:
            out[f] = None
    return out


def _read_cached(folder: Path, yaml_path: Path) -> Region:
    """:func:`_read`, or the Region a previous run read from the same bytes (:mod:`.cache`: the
    entry of ``folder`` holds the bundle's files and their ``content_hash``, recomputed here)."""

    def read() -> tuple[list[str], Region]:
        region = _read(folder, yaml_path)
        return [spec["path"] for spec in region.files.values()], region

    def same_bytes(entry) -> bool:
        return _content_hash(folder, yaml_path, entry[0]) == entry[1].content_hash

    return cached("region", str(folder), read, same_bytes)[1]


def _content_hash(folder: Path, yaml_path: Path, paths) -> str:
    """SHA-256 of the bytes of region.yaml and of the bundle's files ``paths``, in order."""
    h = hashlib.sha256(read_bytes(yaml_path, "region.yaml", MAX_YAML_BYTES))
    for path in paths:
        h.update(read_bytes(folder / path, "a CSV table", MAX_CSV_BYTES))
    return h.hexdigest()


def _read(folder: Path, yaml_path: Path) -> Region:
    """Read and validate the bundle (see :func:`load_region`)."""
    meta = read_yaml(yaml_path)
    problems: list[Problem] = []
    meta = check_metadata(yaml_path, meta, problems)
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

    return Region(
        path=folder,
        name=str(meta["name"]),
        level=meta["level"],
        base_year=int(meta["base_year"]),
        population_date=meta["population_date"],
        currency=meta["currency"],
        metadata=dict(meta),
        sources=dict(meta["sources"]),
        base_population=arrays.by_age(frames["base_population"], ["sex"], "base_population"),
        mortality=arrays.by_age(frames["mortality"], ["period", "sex"], "mortality"),
        fertility=arrays.by_age(frames["fertility"], ["period"], "fertility"),
        sex_ratio_at_birth=arrays.by_period(frames["sex_ratio_at_birth"], "sex_ratio_at_birth"),
        insured=arrays.insured(frames["insured"]),
        fund_history=arrays.tidy(frames["fund_history"], ["year", "pool", "account", "item"]),
        financing=arrays.tidy(frames["financing"], ["pool", "parameter", "year"]),
        cost_curves=arrays.by_age(frames["cost_curves"], ["service", "sex"], "cost_curves"),
        disability_prevalence=arrays.by_age(frames["disability_prevalence"], ["sex"], "disability_prevalence"),
        total_fertility=arrays.annual(frames["total_fertility"], "total_fertility")
        if "total_fertility" in frames
        else None,
        migration=arrays.by_age(frames["migration"], ["period", "sex"], "migration") if "migration" in frames else None,
        utilisation=arrays.tidy(frames["utilisation"], ["year", "pool", "service", "indicator"])
        if "utilisation" in frames
        else None,
        claim_sizes=arrays.tidy(frames["claim_sizes"], ["service", "level", "parameter"])
        if "claim_sizes" in frames
        else None,
        monthly_fund=arrays.tidy(frames["monthly_fund"], ["year", "pool", "item", "month"]).astype({"month": int})
        if "monthly_fund" in frames
        else None,
        insured_table=arrays.tidy(frames["insured"], ["year", "pool", "status"]),
        files={name: dict(spec) for name, spec in meta["files"].items()},
        content_hash=_content_hash(folder, yaml_path, [spec["path"] for spec in meta["files"].values()]),
    )
