"""A province's demography for a prefecture bundle: its census age–sex structure and mortality level.

- :func:`province_structure` — the 2020 (or 2010) census population of a province by sex and age group
  (中国人口普查年鉴-2020 表1-5 / 2010 表1-7, as carried in data/provinces/), checked against the
  table's own totals.
- :func:`scaled_population` — that structure scaled to the place's own census total (by sex where
  known; raked by iterative proportional fitting to broad age groups where known), in whole persons
  by largest-remainder rounding within each sex. The population stage graduates the groups to
  single ages exactly as it does data/china's (monotone spline on cumulative counts,
  :mod:`forecast.model.population.graduation`).
- :func:`scale_to_life_expectancy` — proportional mx scaling: one factor k on every death rate, solved
  so that the period's life expectancy at birth equals the published one (an abridged life table).
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

import numpy as np

from ...errors import InputError, Problem
from ...library import shipped

__all__ = [
    "census_file",
    "bare_name",
    "GROUPS",
    "province_names",
    "province_structure",
    "scaled_population",
    "largest_remainder_round",
    "life_expectancy",
    "scale_to_life_expectancy",
]

#: the census's age groups: 0, 1-4, 5-9, ..., 95-99, 100+
GROUPS = ["0", "1-4"] + [f"{a}-{a + 4}" for a in range(5, 100, 5)] + ["100+"]
SEXES = ("male", "female")
CENSUS_NAME = "census_2010_2020_pop_by_age5_sex_province.csv"


def census_file() -> Path:
    """data/provinces/<the census table> (package data in a wheel)."""
    return shipped("data") / "provinces" / CENSUS_NAME


@functools.lru_cache(maxsize=1)
def _table() -> dict:
    """{(year, area, sex, group): persons} of the carried census table."""
    path = census_file()
    with open(path, encoding="utf-8") as f:
        return {
            (int(r["census_year"]), r["area"], r["sex"], r["age_group"]): int(r["population"])
            for r in csv.DictReader(f)
        }


def province_names() -> list[str]:
    """The 31 provinces of the census table (its own spelling, e.g. 贵州, 西藏)."""
    return sorted({area for (_, area, _, _) in _table() if area != "全国"})


#: the autonomous regions' full names (the census table uses the short ones)
AUTONOMOUS_REGIONS = {
    "内蒙古自治区": "内蒙古",
    "广西壮族自治区": "广西",
    "西藏自治区": "西藏",
    "宁夏回族自治区": "宁夏",
    "新疆维吾尔自治区": "新疆",
}
#: the municipalities under the State, written with or without 市
MUNICIPALITIES = ("北京", "天津", "上海", "重庆")


def bare_name(name: str) -> str:
    """A province's name as the census table spells it: 贵州省 -> 贵州, 广西壮族自治区 -> 广西,
    北京市 -> 北京 (市 only for the four municipalities: 浙江市 is no province)."""
    text = str(name).strip()
    if text in AUTONOMOUS_REGIONS:
        return AUTONOMOUS_REGIONS[text]
    if text.endswith("市") and text[:-1] in MUNICIPALITIES:
        return text[:-1]
    return text.removesuffix("省")


def province_structure(name: str, year: int = 2020, where: str = "--province") -> dict[tuple[str, str], int]:
    """Persons by (sex, group) in province ``name`` at the ``year`` census; a located error listing
    the valid names for an unknown one. Checked: the groups add up to the table's totals by sex."""
    table = _table()
    known = province_names()
    key = bare_name(name) if name else ""
    if key not in known:
        raise InputError(
            Problem(
                where,
                f"unknown province '{name}'",
                f"give one of the census table's 31 names: {', '.join(known)}",
                value=name,
            )
        )
    out = {(sex, g): table[year, key, sex, g] for sex in SEXES for g in GROUPS}
    for sex in SEXES:
        total = table[year, key, sex, "total"]
        assert sum(out[sex, g] for g in GROUPS) == total, (key, sex)
    return out


def _group_start(group: str) -> int:
    return int(group.rstrip("+").split("-")[0])


def largest_remainder_round(values: np.ndarray, total: int) -> np.ndarray:
    """Integers summing exactly to ``total``, each within 1 of ``values`` when ``total`` lies between
    the floors' and the ceilings' sums (Hamilton's method: the largest remainders round up); a total
    outside moves every value by the whole difference shared out, the remainder as above."""
    floors = np.floor(values).astype(np.int64)
    whole, extra = divmod(int(total - floors.sum()), len(values))
    order = np.argsort(-(values - floors), kind="stable")
    floors += whole
    floors[order[:extra]] += 1
    return floors


def _rake(seed: np.ndarray, bands: list[np.ndarray], band_totals: list[float], sex_totals: np.ndarray) -> np.ndarray:
    """Iterative proportional fitting (Deming–Stephan) of a groups × sex table to band and sex totals."""
    table = seed.astype(float).copy()
    for _ in range(1000):
        for rows, total in zip(bands, band_totals):
            table[rows] *= total / table[rows].sum()
        table *= sex_totals / table.sum(axis=0)
        if max(abs(table[rows].sum() - t) / t for rows, t in zip(bands, band_totals)) < 1e-10:
            break
    return table


def scaled_population(
    structure: dict, total: int, male: int | None = None, female: int | None = None, bands: dict | None = None
) -> dict[tuple[str, str], int]:
    """The province's structure scaled to a place's census: ``total``; ``male``/``female`` when
    published (else the province's sex ratio); ``bands`` {(first age, last age or None): persons}
    (disjoint broad groups, e.g. 0-14, 15-59, 60-64, 65+) raked in when published."""
    seed = np.array([[structure[sex, g] for sex in SEXES] for g in GROUPS], dtype=float)
    if male is None or female is None:
        share = seed[:, 0].sum() / seed.sum()
        male = int(round(total * share)) if male is None else male
        female = total - male
    sexes = np.array([male, female], dtype=float)
    if bands:
        starts = np.array([_group_start(g) for g in GROUPS])
        rows = [(starts >= lo) & (starts <= (hi if hi is not None else 10**6)) for lo, hi in bands]
        fitted = _rake(seed, rows, list(bands.values()), sexes)
    else:
        fitted = seed / seed.sum(axis=0) * sexes
    out = {}
    for j, (sex, target) in enumerate(zip(SEXES, (male, female))):
        for g, count in zip(GROUPS, largest_remainder_round(fitted[:, j], int(target))):
            out[sex, g] = int(count)
    return out


def life_expectancy(mx: np.ndarray, widths: np.ndarray) -> float:
    """e0 of an abridged life table: groups of ``widths`` years (0 for the open top group), deaths at
    mid-interval (a = n/2; 0.1 in the first year of life), the open group's L = l / m."""
    a = np.where(widths == 1, 0.1, widths / 2.0)
    closed = widths > 0
    q = np.where(closed, widths * mx / (1 + (widths - a) * mx), 1.0)
    q = np.clip(q, 0.0, 1.0)
    alive = np.concatenate([[1.0], np.cumprod(1 - q)[:-1]])
    deaths = alive * q
    lived = np.where(closed, widths * (alive - deaths) + a * deaths, alive / np.maximum(mx, 1e-12))
    return float(lived.sum())


def scale_to_life_expectancy(mx: dict, widths: np.ndarray, target: float, weights: dict) -> float:
    """The factor k (proportional mx scaling) with Σ w_s·e0(k·mx_s) / Σ w_s = ``target``: one factor on
    every rate of every sex, keeping the national age pattern and sex differential. With births as the
    weights (male: the sex ratio at birth, female: 1) this is the both-sexes e0 of the combined life
    table. Solved by Brent's method on log k."""
    from scipy.optimize import brentq  # deferred: scipy (0.5 s); the budget's rounding imports this module without it

    total = sum(weights.values())

    def gap(log_k: float) -> float:
        return sum(w * life_expectancy(mx[s] * np.exp(log_k), widths) for s, w in weights.items()) / total - target

    return float(np.exp(brentq(gap, -4.0, 4.0, xtol=1e-12)))
