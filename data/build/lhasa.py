"""Build data/lhasa, the example prefecture bundle (an ILLUSTRATION, labelled as such).

Run from the project root:  .venv/bin/python data/build/lhasa.py
What is Lhasa's own: the 2020 census totals by sex and broad age group (拉萨市第七次全国人口普查公报)
and the Jan-May 2023 insured persons and fund figures from the local medical security bureau's report
(../shared/DATA.md). Everything else is borrowed from data/china and says so: the age-sex structure
within the broad age groups (raked to Lhasa's margins), mortality, fertility, the sex ratio at birth,
the cost curve, disability prevalence and the national financing minimums.
"""

from __future__ import annotations

import csv
import shutil
import sys
from pathlib import Path

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import methods  # noqa: E402

from forecast.inputs.tables import parse_age  # noqa: E402

CHINA = ROOT / "data" / "china"
BORROWED = ["mortality", "fertility", "total_fertility", "sex_ratio_at_birth", "cost_curves", "disability_prevalence"]
BANDS = {"age_0_14": (0, 14), "age_15_59": (15, 59), "age_60_64": (60, 64), "age_65_plus": (65, None)}
LOCAL = "LHASA_2023"


def read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write(path: Path, header, rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def base_population() -> list[list]:
    census = {r["indicator"]: int(r["value"]) for r in read(HERE / "inputs" / "lhasa_census2020.csv")}
    census["age_60_64"] = census["age_60_plus"] - census["age_65_plus"]
    national = read(CHINA / "base_population.csv")
    groups = list(dict.fromkeys(r["age"] for r in national))
    seed = np.array([[float(next(r["value"] for r in national if r["sex"] == s and r["age"] == g)) for s in ("male", "female")] for g in groups])
    starts = [parse_age(g)[0] for g in groups]
    bands = [np.array([lo <= a and (hi is None or a <= hi) for a in starts]) for lo, hi in BANDS.values()]
    fitted = methods.rake_to_margins(seed, bands, [census[b] for b in BANDS], [census["male"], census["female"]])
    rows = []
    for j, sex in enumerate(("male", "female")):
        counts = methods.largest_remainder_round(fitted[:, j], census[sex])
        for g, c in zip(groups, counts):
            rows.append([sex, g, int(c), "persons", "LHASA_CENSUS2020;CENSUS2020_T15", "national age-sex structure raked (IPF) to Lhasa's census totals by sex and broad age group"])
    return rows


def insured() -> list[list]:
    return [
        [2023, "employee", "all", "14.3", "万人", "local_report", LOCAL, "Jan-May 2023 report"],
        [2023, "resident", "all", "38", "万人", "local_report", LOCAL, "Jan-May 2023 report"],
    ]


def fund_history() -> list[list]:
    note = "January-May 2023 (budget execution to date)"
    figures = [
        ("employee", "income", "50686.38"),
        ("employee", "expenditure", "29597.18"),
        ("resident", "income", "27175"),
        ("resident", "expenditure", "14917.34"),
        ("medical_assistance", "income", "8726.73"),
        ("medical_assistance", "expenditure", "589.62"),
    ]
    return [[2023, pool, "total", item, value, "万元", 5, "local_report", LOCAL, note + ("; employee figures include maternity" if pool == "employee" else "")] for pool, item, value in figures]


def financing() -> list[list]:
    rows = []
    for r in read(CHINA / "financing.csv"):
        if r["pool"] == "resident" and r["year"] != "2023":
            continue
        rows.append([r["year"], r["pool"], r["parameter"], r["value"], r["unit"], r["source"], "national rule borrowed (Lhasa's own standard is not in the seed documents); " + r["note"]])
    return rows


def build(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name in BORROWED:
        shutil.copyfile(CHINA / f"{name}.csv", out / f"{name}.csv")
    write(out / "base_population.csv", ["sex", "age", "value", "unit", "source", "method"], base_population())
    write(out / "insured.csv", ["year", "pool", "status", "value", "unit", "report_type", "source", "note"], insured())
    write(out / "fund_history.csv", ["year", "pool", "account", "item", "value", "unit", "months", "report_type", "source", "note"], fund_history())
    write(out / "financing.csv", ["year", "pool", "parameter", "value", "unit", "source", "note"], financing())

    china = yaml.safe_load((CHINA / "region.yaml").read_text(encoding="utf-8"))
    own = {
        "LHASA_CENSUS2020": {
            "title": "拉萨市第七次全国人口普查公报 (total 867,891; male 470,353; female 397,538; 0-14 143,069; 15-59 651,141; 60+ 73,681; 65+ 48,170)",
            "publisher": "拉萨市统计局",
            "date": "2021-06",
            "url": "https://www.maigoo.com/news/652268.html",
            "read_via": "quoted at the url above; Lhasa 86.79万 also in 中国新闻网 2021-05-20 (http://tibet.cn/cn/news/zx/202105/t20210520_7007386.html)",
        },
        LOCAL: {
            "title": "拉萨市医疗保障局 report on January-May 2023 fund operation (insured 52.3万: employees 14.3万, residents 38万; fund income and expenditure by pool)",
            "publisher": "local medical security bureau report, Lhasa, 2023",
            "date": "2023",
            "read_via": "seed documents quoted in ../shared/DATA.md",
        },
    }
    files = {name: {"path": f"{name}.csv", "sources": ids} for name, ids in ((n, china["files"][n]["sources"]) for n in BORROWED)}
    files["base_population"] = {"path": "base_population.csv", "sources": ["LHASA_CENSUS2020", "CENSUS2020_T15"]}
    files["insured"] = {"path": "insured.csv", "sources": [LOCAL]}
    files["fund_history"] = {"path": "fund_history.csv", "sources": [LOCAL]}
    files["financing"] = {"path": "financing.csv", "sources": sorted({s for r in financing() for s in r[5].split(";")})}
    used = {s for spec in files.values() for s in spec["sources"]}
    meta = {
        "name": "拉萨市 (示例)",
        "name_en": "Lhasa (illustration)",
        "level": "prefecture",
        "base_year": 2020,
        "population_date": china["population_date"],
        "currency": "CNY",
        "illustration": True,
        "description": (
            "ILLUSTRATION, not official data for Lhasa as a whole: Lhasa's own census totals and its Jan-May 2023 "
            "fund report, with the national age-sex structure, mortality, fertility, cost curve and disability "
            "prevalence borrowed from data/china. Shows how to build a bundle; see SOURCES.md. Generated by "
            "data/build/lhasa.py."
        ),
        "files": files,
        "sources": {**{k: v for k, v in china["sources"].items() if k in used}, **own},
    }
    text = "# Generated by data/build/lhasa.py; an ILLUSTRATION bundle. Do not edit by hand.\n"
    (out / "region.yaml").write_text(text + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "data" / "lhasa")
