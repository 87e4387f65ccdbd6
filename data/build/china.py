"""Build the CSV files of data/china from the official figures they come from.

Run from the project root:  .venv/bin/python data/build/china.py
Inputs: ../shared/reference-data and ../shared/research-data (official figures and tables,
carried in with their sources; FORECAST_SHARED overrides the folder ../shared) and
data/build/inputs/*.csv (official figures read from public pages, each row with its URL).
Modules: demography.py (base population, mortality, fertility, sex ratio at birth, migration),
curves.py (cost curves, disability prevalence, claim sizes), this file (insured persons, fund
accounts, financing, benefit use, the source register, region.yaml), buildio.py (input folders
and CSV helpers). Derived tables are made by the named methods in methods.py;
data/china/SOURCES.md describes each.

A test (tests/test_data_china.py) re-runs this script into a temporary folder and checks
that the committed files are exactly what it produces.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

import curves  # noqa: E402
import demography  # noqa: E402
from buildio import INPUTS, REF, ROOT, read, write  # noqa: E402

PREF = ["bulletin_final", "quick_report_preliminary", "shuzhiku_series", "monthly_indicator"]


# --------------------------------------------------------------------------- insurance


class Nhsa:
    """The NHSA figures at hand, keyed by (year, scheme, indicator) -> {report_type: row}."""

    def __init__(self):
        self.rows: dict = {}
        for r in read(REF / "nhsa_fund_annual_2018_2024.csv"):
            self.rows.setdefault((int(r["year"]), r["scheme"], r["indicator"]), {})[r["report_type"]] = r

    def pick(self, year, scheme, indicator, allowed=PREF):
        found = self.rows.get((year, scheme, indicator), {})
        for kind in allowed:
            if kind in found:
                return found[kind]
        return None


def series(nhsa: Nhsa, years, scheme, indicator, allowed=PREF, overrides=None):
    """One row per year: (value string, unit, report_type, source, note); blanks where absent."""
    out = {}
    for y in years:
        if overrides and y in overrides:
            out[y] = overrides[y]
            continue
        r = nhsa.pick(y, scheme, indicator, allowed)
        out[y] = (
            (r["value"], r["unit"], r["report_type"], r["source_id"], r["note"])
            if r
            else ("", None, "not_available", "", "not in the published figures at hand")
        )
    return out


def derived(nhsa: Nhsa, year, terms, unit, formula, kind="bulletin_final"):
    """A figure derived from published ones by + and - (exact decimal arithmetic)."""
    total, sources = Decimal(0), []
    for sign, scheme, indicator in terms:
        r = nhsa.pick(year, scheme, indicator, [kind])
        total += Decimal(r["value"]) * sign
        sources.append(r["source_id"])
    return (str(total), unit, "derived", ";".join(dict.fromkeys(sources)), formula)


def insured_rows(nhsa: Nhsa) -> list[list]:
    years = range(2018, 2025)
    ncms2018 = derived(
        nhsa,
        2018,
        [(1, "urrbmi", "insured"), (1, "ncms", "insured")],
        "万人",
        "URRBMI 89736 + NCMS 13000 (2018 bulletin): residents incl. the not-yet-integrated NCMS",
    )
    split2021 = {
        "in_service": (
            "26106",
            "万人",
            "bulletin_final",
            "S2021B",
            "2021 bulletin full text (临西县医疗保障局 repost)",
        ),
        "retired": ("9324", "万人", "bulletin_final", "S2021B", "2021 bulletin full text (临西县医疗保障局 repost)"),
    }
    spec = [
        ("employee", "all", series(nhsa, years, "uebmi", "insured")),
        (
            "employee",
            "in_service",
            series(nhsa, years, "uebmi", "insured_in_service", overrides={2021: split2021["in_service"]}),
        ),
        (
            "employee",
            "retired",
            series(nhsa, years, "uebmi", "insured_retirees", overrides={2021: split2021["retired"]}),
        ),
        ("resident", "all", series(nhsa, years, "urrbmi", "insured", overrides={2018: ncms2018})),
        ("ltci", "all", series(nhsa, range(2023, 2025), "ltci", "insured")),
    ]
    return [
        [y, pool, status, v, u or "万人", kind, src, note]
        for pool, status, s in spec
        for y, (v, u, kind, src, note) in s.items()
    ]


def fund_rows(nhsa: Nhsa) -> list[list]:
    years = range(2018, 2025)
    yi = "亿元"
    res2018 = {
        "income": derived(
            nhsa, 2018, [(1, "urrbmi", "income"), (1, "ncms", "income")], yi, "URRBMI 6971 + NCMS 875 (2018 bulletin)"
        ),
        "expenditure": derived(
            nhsa,
            2018,
            [(1, "urrbmi", "expenditure"), (1, "ncms", "expenditure")],
            yi,
            "URRBMI 6277 + NCMS 839 (2018 bulletin)",
        ),
    }
    pooled_reserve = {
        y: derived(
            nhsa,
            y,
            [
                (1, "basic_total", "accumulated_balance"),
                (-1, "uebmi_ia", "accumulated_balance"),
                (-1, "urrbmi", "accumulated_balance"),
            ],
            yi,
            "basic total reserve - employee individual accounts - resident reserve (bulletin)",
        )
        for y in (2021, 2022)
    }
    pooled_reserve.update(
        {
            y: derived(
                nhsa,
                y,
                [(1, "basic_pooled", "accumulated_balance"), (-1, "urrbmi", "accumulated_balance")],
                yi,
                "basic pooled-fund reserve - resident reserve (bulletin)",
            )
            for y in (2023, 2024)
        }
    )
    total_reserve = {
        y: derived(
            nhsa,
            y,
            [(1, "basic_total", "accumulated_balance"), (-1, "urrbmi", "accumulated_balance")],
            yi,
            "basic total reserve - resident reserve (bulletin)",
        )
        for y in (2021, 2022)
    }
    ia_2024 = Decimal("14471.75")  # bulletin text: 个人账户累计结存14471.75亿元
    ia_balance_2024 = Decimal(nhsa.pick(2024, "uebmi_ia", "income")["value"]) - Decimal(
        nhsa.pick(2024, "uebmi_ia", "expenditure")["value"]
    )
    mirror = "2024 bulletin text (个人账户累计结存14471.75亿元) via the mirror http://blog.lgjyuntun.com/p?id=8795594"
    ia_reserve = {
        2024: (str(ia_2024), yi, "bulletin_final", "S2024B", mirror),
        2023: (
            str(ia_2024 - ia_balance_2024),
            yi,
            "derived",
            "S2024B",
            "2024 reserve minus the 2024 balance (income 6390.01 - expenditure 5879.83)",
        ),
    }
    employee_total = {
        y: (
            str(Decimal(pooled_reserve[y][0]) + Decimal(ia_reserve[y][0])),
            yi,
            "derived",
            "S2023B;S2024B",
            "pooled-fund reserve + individual-account reserve",
        )
        for y in (2023, 2024)
    }
    spec = [
        ("employee", "total", "income", series(nhsa, years, "uebmi", "income")),
        ("employee", "total", "expenditure", series(nhsa, years, "uebmi", "expenditure")),
        (
            "employee",
            "total",
            "reserve",
            series(nhsa, years, "uebmi", "accumulated_balance", overrides={**total_reserve, **employee_total}),
        ),
        ("employee", "total", "contribution_income", series(nhsa, range(2020, 2023), "uebmi", "income_contributions")),
        ("employee", "pooled_fund", "income", series(nhsa, range(2023, 2025), "uebmi_pooled", "income")),
        ("employee", "pooled_fund", "expenditure", series(nhsa, range(2023, 2025), "uebmi_pooled", "expenditure")),
        (
            "employee",
            "pooled_fund",
            "reserve",
            series(nhsa, range(2019, 2025), "uebmi_pooled", "accumulated_balance", overrides=pooled_reserve),
        ),
        ("employee", "individual_account", "income", series(nhsa, range(2023, 2025), "uebmi_ia", "income")),
        ("employee", "individual_account", "expenditure", series(nhsa, range(2023, 2025), "uebmi_ia", "expenditure")),
        (
            "employee",
            "individual_account",
            "reserve",
            series(nhsa, range(2019, 2025), "uebmi_ia", "accumulated_balance", overrides=ia_reserve),
        ),
        (
            "employee",
            "individual_account",
            "mutual_aid_expenditure",
            series(nhsa, range(2024, 2025), "uebmi_ia", "mutual_aid_usage"),
        ),
        ("employee", "maternity", "expenditure", series(nhsa, years, "maternity", "fund_expenditure")),
        ("resident", "total", "income", series(nhsa, years, "urrbmi", "income", overrides={2018: res2018["income"]})),
        (
            "resident",
            "total",
            "expenditure",
            series(nhsa, years, "urrbmi", "expenditure", overrides={2018: res2018["expenditure"]}),
        ),
        ("resident", "total", "balance", series(nhsa, range(2021, 2025), "urrbmi", "current_balance")),
        ("resident", "total", "reserve", series(nhsa, range(2019, 2025), "urrbmi", "accumulated_balance")),
        ("medical_assistance", "total", "expenditure", series(nhsa, years, "medical_assistance", "expenditure")),
        ("ltci", "total", "income", series(nhsa, range(2023, 2025), "ltci", "income")),
        ("ltci", "total", "expenditure", series(nhsa, range(2023, 2025), "ltci", "expenditure")),
        ("basic", "total", "income", series(nhsa, years, "basic_total", "income")),
        ("basic", "total", "expenditure", series(nhsa, years, "basic_total", "expenditure")),
        ("basic", "total", "balance", series(nhsa, range(2021, 2023), "basic_total", "current_balance")),
        ("basic", "total", "reserve", series(nhsa, range(2018, 2023), "basic_total", "accumulated_balance")),
        ("basic", "pooled_fund", "reserve", series(nhsa, range(2023, 2025), "basic_pooled", "accumulated_balance")),
        ("basic", "pooled_fund", "balance", series(nhsa, range(2023, 2025), "basic_pooled", "current_balance")),
    ]
    return [
        [y, pool, acc, item, v, u or yi, kind, src, note]
        for pool, acc, item, s in spec
        for y, (v, u, kind, src, note) in s.items()
    ]


def financing_rows() -> list[list]:
    rows = []
    for r in read(REF / "urrbmi_financing_standards.csv"):
        if not r["fiscal_subsidy_min_yuan_per_person"]:
            continue  # 2025: the national notice was not found
        note = r["document"]
        rows.append(
            [
                r["year"],
                "resident",
                "fiscal_subsidy",
                r["fiscal_subsidy_min_yuan_per_person"],
                "yuan/person/year",
                "URRBMI_NOTICES",
                f"minimum per-capita fiscal subsidy; {note}",
            ]
        )
        rows.append(
            [
                r["year"],
                "resident",
                "individual_contribution",
                r["individual_contribution_yuan_per_person"],
                "yuan/person/year",
                "URRBMI_NOTICES",
                f"per-capita individual contribution; {note}",
            ]
        )
    rows += [
        [
            1998,
            "employee",
            "employer_rate",
            "0.06",
            "ratio",
            "POLICY_1998",
            "控制在职工工资总额的6%左右 (local rates vary, e.g. 6%-10%)",
        ],
        [1998, "employee", "employee_rate", "0.02", "ratio", "POLICY_1998", "一般为本人工资收入的2%"],
        [
            1998,
            "employee",
            "individual_account_employer_share",
            "0.30",
            "ratio",
            "POLICY_1998",
            "一般为用人单位缴费的30%左右 credited to individual accounts (plus the whole employee contribution)",
        ],
        [
            2021,
            "employee",
            "individual_account_employer_share",
            "0",
            "ratio",
            "POLICY_2021_IA",
            "outpatient mutual-aid reform: employer contribution goes entirely to the pooled fund (local "
            "implementation 2021-2023)",
        ],
        [
            2012,
            "critical_illness",
            "critical_illness_reimbursement_ratio",
            "0.5",
            "ratio",
            "CI_2012",
            "actual reimbursement at least 50% (original rule)",
        ],
        [
            2019,
            "critical_illness",
            "critical_illness_reimbursement_ratio",
            "0.6",
            "ratio",
            "CI_2019",
            "policy-scope reimbursement raised from 50% to 60%",
        ],
        [
            2019,
            "critical_illness",
            "critical_illness_threshold_income_share",
            "0.5",
            "ratio",
            "CI_2019",
            "threshold in principle 50% of previous-year per-capita disposable income",
        ],
    ]
    return rows


def utilisation_rows() -> list[list]:
    """NHSA bulletin benefit-use figures, as typed in inputs/nhsa_utilisation.csv."""
    return [
        [r["year"], r["pool"], r["service"], r["indicator"], r["value"], r["unit"], r["source"]]
        for r in read(INPUTS / "nhsa_utilisation.csv")
    ]


def monthly_rows() -> list[list]:
    """NHSA monthly cumulative fund figures, as typed in inputs/nhsa_monthly.csv."""
    return [
        [r["year"], r["month"], r["pool"], r["item"], r["value"], r["unit"], r["source"]]
        for r in read(INPUTS / "nhsa_monthly.csv")
    ]


def sources_register() -> dict:
    """The source register: ../shared/reference-data/sources.csv plus the entries of sources_extra.yaml
    that a file of the bundle cites (the others serve the derivations kept for other bundles)."""
    import yaml

    register = {}
    for r in read(REF / "sources.csv"):
        entry = {"title": r["title"], "publisher": r["publisher_date"]}
        if r["primary_url"].startswith("http"):
            entry["url"] = r["primary_url"]
        entry["read_via"] = r["read_via"]
        entry["reliability"] = r["reliability"]
        register[r["source_id"]] = entry
    register["S2021B"]["read_via"] += (
        "; full text reposted by 临西县医疗保障局 2022-06-27 at http://info.linxi.gov.cn/content/45224.html "
        "(in-service/retiree split)"
    )
    cited = {sid for ids in FILES.values() for sid in ids}
    with open(HERE / "sources_extra.yaml", encoding="utf-8") as f:
        register.update({sid: entry for sid, entry in yaml.safe_load(f).items() if sid in cited})
    return register


FILES = {
    **demography.FILES,
    "insured": ["S2018B", "S2019B", "S2019B2", "S2020B", "S2020K", "S2021B", "S2022B", "S2022K", "S2023B", "S2024B"],
    "fund_history": [
        "S2018B",
        "S2019B",
        "S2019B2",
        "S2019K",
        "S2020B",
        "S2020B2",
        "S2020K",
        "S2021B",
        "S2022B",
        "S2022K",
        "S2023B",
        "S2024B",
        "SSZK",
    ],
    "financing": ["URRBMI_NOTICES", "POLICY_1998", "POLICY_2021_IA", "CI_2012", "CI_2019"],
    "cost_curves": ["WPP2024", "CENSUS2020_T15", "BULLETIN2024_COSTS", "S2024B"],
    "disability_prevalence": ["DISAB_META2023", "DISAB_SURVEY2015", "CENSUS2020_T15"],
    "utilisation": ["S2023B", "S2024B"],
    "monthly_fund": ["NHSA_MONTHLY"],
    "claim_sizes": ["COSTCONC_FAN2022", "COSTCONC_YE", "NHC2023", "NHC2022", "NHC2022Q1", "S2024B"],
}


def region_yaml(out: Path) -> None:
    import yaml

    meta = {
        "name": "中国",
        "name_en": "China (31 provinces)",
        "level": "national",
        "base_year": 2020,
        "population_date": __import__("datetime").date(2020, 11, 1),
        "currency": "CNY",
        "description": (
            "National default bundle. Population basis: the 31 provinces (the census excludes the 2,000,000 "
            "active servicemen from its tables by age). Demography: the 2020 census by sex and age (table 1-5) "
            "and UN WPP 2024's medium variant. Fund figures: NHSA statistical bulletins 2018-2024. "
            "Generated by data/build/china.py; see SOURCES.md for every table's source and method."
        ),
        "files": {name: {"path": f"{name}.csv", "sources": ids} for name, ids in FILES.items()},
        "sources": sources_register(),
    }
    text = (
        "# Generated by data/build/china.py from ../shared (reference-data, research-data) and data/build/inputs; do "
        "not edit by hand.\n"
    )
    text += yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=120)
    (out / "region.yaml").write_text(text, encoding="utf-8")


def build(out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    pop_rows = demography.census_population()
    mx_rows, schedule = demography.mortality()
    tables = {
        "base_population": pop_rows,
        "mortality": mx_rows,
        "fertility": demography.fertility(),
        "total_fertility": demography.total_fertility(),
        "sex_ratio_at_birth": demography.sex_ratio_at_birth(),
        "migration": demography.migration(),
    }
    for name, rows in tables.items():
        write(out / f"{name}.csv", demography.HEADERS[name], rows)
    nhsa = Nhsa()
    write(
        out / "insured.csv",
        ["year", "pool", "status", "value", "unit", "report_type", "source", "note"],
        insured_rows(nhsa),
    )
    write(
        out / "fund_history.csv",
        ["year", "pool", "account", "item", "value", "unit", "report_type", "source", "note"],
        fund_rows(nhsa),
    )
    write(out / "financing.csv", ["year", "pool", "parameter", "value", "unit", "source", "note"], financing_rows())
    cost, cost_info = curves.cost_curve_rows(schedule, pop_rows, nhsa)
    write(out / "cost_curves.csv", ["service", "sex", "age", "value", "unit", "source", "method"], cost)
    dis, dis_info = curves.disability_rows(pop_rows)
    write(out / "disability_prevalence.csv", ["sex", "age", "value", "unit", "source", "method"], dis)
    write(
        out / "utilisation.csv", ["year", "pool", "service", "indicator", "value", "unit", "source"], utilisation_rows()
    )
    write(out / "monthly_fund.csv", ["year", "month", "pool", "item", "value", "unit", "source"], monthly_rows())
    claims, claim_info = curves.claim_size_rows()
    write(out / "claim_sizes.csv", ["service", "level", "parameter", "value", "unit", "source", "method"], claims)
    region_yaml(out)
    return {**cost_info, **dis_info, **claim_info}


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "data" / "china"
    info = build(target)
    for k, v in info.items():
        print(f"{k}: {v}")
