"""The region data bundle's schema: which files, which columns, which values.

Each CSV file of a bundle is one :class:`Table`: tidy long format with key columns, one
``value`` column and a ``unit`` column. The docs page docs/reference/bundle.md is generated
from these declarations (``python -m forecast.inputs.schema``), so the documentation cannot drift
from what the loader enforces.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..limits import MAX_MONEY
from ..vocabulary import (
    ACCOUNTS,
    AGGREGATE_POOLS,
    CARE_LEVELS,
    CLAIM_PARAMETERS,
    FINANCING_PARAMETERS,
    FUND_ITEMS,
    POOLS,
    SERVICES,
    SEXES,
    STATUSES,
    UTILISATION_INDICATORS,
)

__all__ = ["Column", "Table", "TABLES", "REQUIRED_TABLES", "schema_markdown"]

#: bounds of counts and money in a bundle: 10^10 persons (seven times China's population) and
#: 10^15 yuan (1,000 万亿, ten times China's GDP); larger figures are slips that overflow the model
PERSONS = 1e10
MONEY = MAX_MONEY


@dataclass(frozen=True)
class Column:
    """A key column. ``kind`` is one of: year, period, age, choice, text."""

    name: str
    kind: str
    choices: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Table:
    """One CSV file of a bundle."""

    name: str
    description: str
    keys: tuple[Column, ...]
    #: canonical unit -> allowed (low, high) bounds of the converted value
    units: dict[str, tuple[float, float]]
    required: bool = True
    #: ``full``: age groups run from 0 to an open top group; ``span``: contiguous closed
    #: groups; ``to_open``: contiguous, any start, open top group; None: no age column.
    age_rule: str | None = None
    #: ``periods``: contiguous non-overlapping year ranges, the same for every series;
    #: ``annual``: single years, contiguous within each series (blank values allowed to
    #: record a figure that is not published); ``dated``: change points (value holds
    #: until the next dated value); None: no year column.
    time_rule: str | None = None
    allow_blank_value: bool = False
    #: key column whose value fixes the canonical unit (e.g. mortality ``measure``)
    unit_by: str | None = None
    unit_of: dict[str, str] = field(default_factory=dict)
    #: bounds that depend on a key column's value, overriding ``units`` bounds
    bounds_by: dict[str, tuple[float, float]] = field(default_factory=dict)
    bounds_key: str | None = None
    #: optional integer columns: name -> (low, high, default when blank or absent)
    optional_int: dict[str, tuple[int, int, int]] = field(default_factory=dict)

    @property
    def key_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.keys)


SEX = Column("sex", "choice", SEXES, "male or female")
AGE = Column("age", "age", description="single age '37', group '35-39' or open top group '100+'")
PERIOD = Column("year", "period", description="a year '2023' or an inclusive range of years '2020-2024'")
YEAR = Column("year", "year", description="calendar year")
POOL = Column("pool", "choice", POOLS, "pool identifier")

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "base_population",
            "Population by sex and age at the bundle's population reference date.",
            keys=(SEX, AGE),
            units={"persons": (0, PERSONS)},
            age_rule="full",
        ),
        Table(
            "mortality",
            "Mortality by period, sex and age: central death rate mx (per person-year) or "
            "probability of dying qx (ratio); one measure per file.",
            keys=(PERIOD, SEX, AGE, Column("measure", "choice", ("mx", "qx"), "mx or qx")),
            units={"per_person_year": (0, 2), "ratio": (0, 1)},
            unit_by="measure",
            unit_of={"mx": "per_person_year", "qx": "ratio"},
            age_rule="full",
            time_rule="periods",
        ),
        Table(
            "fertility",
            "Age-specific fertility rates (births per woman per year) by period and mother's age.",
            keys=(PERIOD, AGE),
            units={"per_person_year": (0, 1)},
            age_rule="span",
            time_rule="periods",
        ),
        Table(
            "total_fertility",
            "Total fertility rate by year (a default path for scenarios).",
            keys=(YEAR,),
            units={"births/woman": (0.3, 10)},  # a TFR below 0.3 is a slip (scenario.TFR_RANGE)
            required=False,
            time_rule="annual",
        ),
        Table(
            "sex_ratio_at_birth",
            "Male births per female birth, by period.",
            keys=(PERIOD,),
            units={"ratio": (0.9, 1.3)},
            time_rule="periods",
        ),
        Table(
            "migration",
            "Net migration (persons per year, negative = net emigration) by period, sex and age.",
            keys=(PERIOD, SEX, AGE),
            units={"persons": (-PERSONS, PERSONS)},
            required=False,
            age_rule="full",
            time_rule="periods",
        ),
        Table(
            "insured",
            "Insured persons at year end by pool and status.",
            keys=(YEAR, POOL, Column("status", "choice", STATUSES, "insured-person status")),
            units={"persons": (0, PERSONS)},
            time_rule="annual",
            allow_blank_value=True,
        ),
        Table(
            "fund_history",
            "Published fund accounts by year, pool, account and item. income, expenditure "
            "and reserve are non-negative; balance (income - expenditure) may be negative. Optional "
            "column `months` (1-12, default 12): months covered, for in-year budget execution figures.",
            keys=(
                YEAR,
                Column("pool", "choice", POOLS + AGGREGATE_POOLS, "pool, or 'basic' for the bulletin total"),
                Column("account", "choice", ACCOUNTS, "account within the pool"),
                Column("item", "choice", FUND_ITEMS, "fund item"),
            ),
            units={"yuan": (-MONEY, MONEY)},
            bounds_key="item",
            bounds_by={
                "income": (0, MONEY),
                "expenditure": (0, MONEY),
                "contribution_income": (0, MONEY),
                "benefit_expenditure": (0, MONEY),
                "mutual_aid_expenditure": (0, MONEY),
            },
            time_rule="annual",
            allow_blank_value=True,
            optional_int={"months": (1, 12, 12)},
        ),
        Table(
            "financing",
            "Contribution rates and financing standards, as dated values: each value holds "
            "from its year until the next dated value of the same pool and parameter.",
            keys=(YEAR, POOL, Column("parameter", "choice", tuple(FINANCING_PARAMETERS), "financing parameter")),
            units={"yuan/person/year": (0, 1e9), "ratio": (0, 1)},
            unit_by="parameter",
            unit_of=dict(FINANCING_PARAMETERS),
            time_rule="dated",
        ),
        Table(
            "cost_curves",
            "Relative per-capita medical cost by service, sex and age (ratio to a reference "
            "group stated in the bundle's sources).",
            keys=(Column("service", "choice", SERVICES, "medical service"), SEX, AGE),
            units={"ratio": (0, 1000)},
            age_rule="full",
        ),
        Table(
            "disability_prevalence",
            "Prevalence of disability (share of persons) by sex and age, for long-term care "
            "insurance; ages below the first group are taken as not disabled.",
            keys=(SEX, AGE),
            units={"ratio": (0, 1)},
            age_rule="to_open",
        ),
        Table(
            "utilisation",
            "Published benefit use by year, pool and service: uses (person-times), users, mean cost per "
            "use, the insured's medical expenses, the in-catalogue fund payment ratio, persons whose "
            "contribution medical assistance paid. Needed by `forecast run` (base-year calibration).",
            keys=(
                YEAR,
                POOL,
                Column("service", "choice", (*SERVICES, "all"), "medical service, or 'all'"),
                Column("indicator", "choice", tuple(UTILISATION_INDICATORS), "published indicator"),
            ),
            units={"persons": (0, PERSONS), "yuan": (0, MONEY), "ratio": (0, 1)},
            unit_by="indicator",
            unit_of=dict(UTILISATION_INDICATORS),
            required=False,
            time_rule="annual",
            allow_blank_value=True,
        ),
        Table(
            "monthly_fund",
            "Fund income and expenditure cumulated from January to `month` (1-12), by year and pool "
            "(employee: pooled fund + accounts): the seasonal profile of budget execution. Optional.",
            keys=(
                YEAR,
                Column("month", "choice", tuple(str(m) for m in range(1, 13)), "last month covered (1-12)"),
                Column("pool", "choice", ("employee", "resident"), "pool"),
                Column("item", "choice", ("income", "expenditure"), "fund item"),
            ),
            units={"yuan": (0, MONEY)},
            required=False,
        ),
        Table(
            "claim_sizes",
            "Claim-size distribution and case mix by service and hospital level: coefficient of variation of the "
            "(lognormal) cost per claim, share of uses (admissions, outpatient visits) and relative cost by level, "
            "visits per patient. Needed by `forecast run`.",
            keys=(
                Column("service", "choice", SERVICES, "medical service"),
                Column("level", "choice", (*CARE_LEVELS, "all"), "level of care, or 'all'"),
                Column("parameter", "choice", tuple(CLAIM_PARAMETERS), "claim parameter"),
            ),
            units={"ratio": (0, 100), "per_person_year": (0, 366)},
            unit_by="parameter",
            unit_of=dict(CLAIM_PARAMETERS),
            required=False,
        ),
    )
}

REQUIRED_TABLES = tuple(name for name, t in TABLES.items() if t.required)


def schema_markdown() -> str:
    """The schema as a Markdown table (pasted into docs/reference/bundle.md, which a test checks)."""
    lines = [
        "| file | required | key columns | units (bounds) | what it holds |",
        "|---|---|---|---|---|",
    ]
    for t in TABLES.values():
        keys = ", ".join(
            f"`{c.name}`" + (f" ({'/'.join(c.choices)})" if c.choices and len(c.choices) <= 8 else "") for c in t.keys
        )
        units = ", ".join(f"`{u}` [{lo:g}, {hi:g}]" for u, (lo, hi) in t.units.items())
        lines.append(f"| `{t.name}.csv` | {'yes' if t.required else 'no'} | {keys} | {units} | {t.description} |")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(schema_markdown())
