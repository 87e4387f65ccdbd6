"""What the workbench offers, by name: region bundles with their summary and the source of each
figure, the shipped scenarios, and the reform form generated from the parameter schema
(:data:`forecast.scenario.parameters.SCHEMA`: each leaf's unit, range, description and default)."""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from ...errors import InputError, Problem
from ...library import scenario_names, shipped
from ...vocabulary import POOL_NAMES_EN, POOL_NAMES_ZH, POOLS

__all__ = [
    "shipped_regions",
    "region_path",
    "region_facts",
    "scenario_list",
    "scenario_path",
    "form_sections",
    "base_year_of",
    "LOCK",
]

#: the model's in-process caches (bundles, fits) are not made for threads: the server's own reads of
#: them (a bundle's summary, a reform's validation) take this lock; runs happen in worker processes
LOCK = threading.RLock()


def shipped_regions() -> dict[str, Path]:
    """The shipped region bundles (folders of ``data/`` holding a region.yaml), name -> folder, data/china first."""
    folders = sorted(p for p in shipped("data").iterdir() if (p / "region.yaml").is_file())
    return {p.name: p for p in sorted(folders, key=lambda p: p.name != "china")}


def region_path(regions: dict, name: str | None, default: str) -> Path:
    """The folder of the region ``name`` (a name from ``regions``, never a path), or a located error."""
    name = default if name in (None, "") else name
    if name not in regions:
        raise InputError(
            Problem(
                "region",
                f"unknown region '{name}'",
                f"use one of {', '.join(regions)} (GET /api/regions lists them)",
                field="region",
            )
        )
    return regions[name]


def _load(path: Path):
    from ...inputs.region import load_region

    with LOCK:
        return load_region(path)


def base_year_of(path: Path) -> int:
    """The fund base year of the bundle at ``path`` (the last year with the funds' accounts)."""
    from ...model.calibration.base_year import fund_base_year

    with LOCK:
        return fund_base_year(_load(path))


def _sources(region, table: str, ids=None) -> list[dict]:
    """The sources of a table (or the given source ids), each with the title its bundle cites."""
    ids = ids if ids is not None else region.files.get(table, {}).get("sources", [])
    ids = [part.strip() for s in ids for part in str(s).split(";")]  # a figure may cite several: "S2023B;S2024B"
    return [{"id": s, "title": str(region.sources.get(s, {}).get("title", s))} for s in dict.fromkeys(ids) if s]


def _clean(value):
    return None if value is None or (isinstance(value, float) and not np.isfinite(value)) else value


def region_facts(name: str, path: Path) -> dict:
    """A bundle's summary with the source of each figure: the base population (65+ share), the insured
    persons of each pool in the last year, and the last fund year's accounts (yuan; persons)."""
    region = _load(path)
    pop = region.base_population
    total = float(pop.sum())
    insured, last = region.insured, int(region.insured["year"].max())
    fund = region.fund_history
    full = fund[(fund["pool"].isin(POOLS)) & (fund["account"] == "total") & (fund.get("months", 12) == 12)]
    year = int(full["year"].max())
    accounts = []
    for pool in POOLS:
        rows = full[(full["year"] == year) & (full["pool"] == pool)]
        if rows.empty:
            continue
        items = {item: (_clean(float(v)), s) for item, v, s in zip(rows["item"], rows["value"], rows["source"])}
        accounts.append(
            {
                "pool": pool,
                "name_zh": POOL_NAMES_ZH[pool],
                "name_en": POOL_NAMES_EN[pool],
                "units": "yuan",
                **{item: items.get(item, (None, ""))[0] for item in ("income", "expenditure", "reserve")},
                "sources": _sources(region, "fund_history", [s for _, s in items.values()]),
            }
        )
    members = [
        {
            "pool": p,
            "name_zh": POOL_NAMES_ZH[p],
            "name_en": POOL_NAMES_EN[p],
            "persons": _clean(float(insured.sel(year=last, pool=p, status="all"))),
        }
        for p in insured["pool"].values
        if np.isfinite(float(insured.sel(year=last, pool=p, status="all")))
    ]
    return {
        "name": name,
        "title": region.name,
        "title_en": str(region.metadata.get("name_en", "")),
        "level": region.level,
        "illustration": region.illustration,
        "fund_base_year": base_year_of(path),
        "description": str(region.metadata.get("description", "")),
        "population": {
            "date": region.population_date.isoformat(),
            "persons": total,
            "share_65_plus": float(pop.where(pop.age_start >= 65, 0).sum()) / total,
            "units": {"persons": "persons", "share_65_plus": "ratio"},
            "sources": _sources(region, "base_population"),
        },
        "insured": {"year": last, "pools": members, "units": "persons", "sources": _sources(region, "insured")},
        "accounts": {"year": year, "pools": accounts, "units": "yuan"},
    }


@lru_cache(maxsize=1)
def scenario_list() -> tuple[dict, ...]:
    """The shipped scenarios: name, title, description, the documents it encodes (those whose region
    bundle is not installed are left out)."""
    from ...scenario.load import load_scenario

    out = []
    for name in scenario_names():
        try:
            with LOCK:
                scenario = load_scenario(name)
        except InputError:
            continue
        out.append(
            {
                "name": name,
                "title": scenario.title,
                "description": scenario.description,
                "sources": list(scenario.sources),
            }
        )
    return tuple(out)


def scenario_path(name: str | None) -> Path:
    """The file of the shipped scenario ``name`` (a name from the library, never a path), or a located error."""
    from ...library import resolve_scenario, suggestion

    name = name or "baseline"
    if name not in {s["name"] for s in scenario_list()}:
        raise InputError(
            Problem(
                "scenario",
                f"unknown scenario '{name}'",
                f"{suggestion(name)}use one of the shipped scenarios (GET /api/scenarios lists them)",
                field="scenario",
            )
        )
    return Path(resolve_scenario(name))


#: the form's sections: a prefix of the parameters' paths, 中文, English; the first open
SECTIONS = (
    ("policy.resident", "城乡居民医保：筹资与待遇", "Resident pool: financing and benefits"),
    ("policy.employee", "职工医保：缴费、待遇与退休年龄", "Employee pool: contributions, benefits, retirement age"),
    ("policy.ltci", "长期护理保险：覆盖与筹资", "Long-term care insurance: coverage and financing"),
    ("policy.critical_illness", "大病保险", "Critical-illness insurance"),
    ("policy.medical_assistance", "医疗救助", "Medical assistance"),
    ("assumptions", "假设：经济、费用、参保、不确定性", "Assumptions: economy, costs, enrolment, uncertainty"),
    ("verdict", "判断标准与风险预警", "Verdict thresholds and warnings"),
    ("horizon", "测算期", "Horizon"),
)


def _current(value, unit: str) -> str:
    """A parameter's value in the chosen scenario, as a scenario file would write it."""
    if value is None:
        return ""
    if hasattr(value, "describe"):
        return value.describe(boolean=unit == "bool")
    return f"{value:g}" if isinstance(value, float) else str(value).lower() if isinstance(value, bool) else str(value)


def form_sections(scenario) -> list[dict]:
    """The reform form: sections of fields, one per schema leaf (path, unit, range, choices, help
    text, reference, and the value in ``scenario``)."""
    from ...scenario.parameters import iter_params

    fields = {prefix: [] for prefix, _, _ in SECTIONS}
    for path, param in iter_params():
        prefix = next(p for p, _, _ in SECTIONS if path == p or path.startswith(p + "."))
        fields[prefix].append(
            {
                "path": path,
                "label": path[len(prefix) + 1 :] or path,
                "unit": param.unit,
                "low": param.low,
                "high": param.high,
                "choices": [str(c) for c in param.choices] or (["true", "false"] if param.unit == "bool" else []),
                "description": param.description,
                "reference": param.reference,
                "dated": param.dated,
                "current": _current(
                    scenario.params.get(path, scenario.horizon if path == "horizon" else None), param.unit
                ),
                "range": "" if param.choices or param.unit == "bool" else param.bound_text(),
            }
        )
    return [{"prefix": p, "zh": zh, "en": en, "fields": fields[p]} for p, zh, en in SECTIONS if fields[p]]
