"""The domain's closed vocabularies (docs/glossary.md): pools, statuses, sexes, services.

One name per concept; data files, scenario keys and code all use these identifiers.
"""

from __future__ import annotations

from .registry import CLAIM_TYPE_ENTRIES, POOL_ENTRIES, items_of

__all__ = [
    "POOLS",
    "POOL_NAMES_ZH",
    "POOL_NAMES_EN",
    "AGGREGATE_POOLS",
    "SEXES",
    "STATUSES",
    "ACCOUNTS",
    "FUND_ITEMS",
    "SERVICES",
    "LEVELS",
    "FINANCING_PARAMETERS",
    "HOSPITAL_LEVELS",
    "CARE_LEVELS",
    "UTILISATION_INDICATORS",
    "CLAIM_PARAMETERS",
    "BASIC_POOLS",
    "INSURED_STATUSES",
    "CLAIM_TYPES",
    "ASSISTANCE_GROUPS",
    "CARE_MODES",
    "LTCI_PAYERS",
    "RETIREMENT_TRACKS",
    "INCOME_ITEMS",
    "EXPENDITURE_ITEMS",
]

#: The pools the model projects (a closed list: docs/glossary.md).
POOLS: tuple[str, ...] = tuple(p.name for p in POOL_ENTRIES)

POOL_NAMES_ZH: dict[str, str] = {**{p.name: p.zh for p in POOL_ENTRIES}, "basic": "基本医疗保险合计"}
POOL_NAMES_EN: dict[str, str] = {p.name: p.en for p in POOL_ENTRIES}

#: Published aggregates that are not model pools; accepted in fund history only.
#: ``basic`` is the bulletin's 基本医疗保险 total: employee + resident (and, before the 2019
#: integration, the new rural cooperative medical scheme in seven provinces).
AGGREGATE_POOLS: tuple[str, ...] = ("basic",)

SEXES: tuple[str, ...] = ("male", "female")

#: Insured-person statuses. ``all`` is the pool total.
STATUSES: tuple[str, ...] = ("all", "in_service", "retired", "flexible", "resident")

#: Accounts within a pool's fund. ``maternity`` is maternity insurance, merged into the
#: employee pool since 2019 and reported separately in the bulletins.
ACCOUNTS: tuple[str, ...] = ("total", "pooled_fund", "individual_account", "maternity")

#: Fund items. income/expenditure/balance/reserve are the contract's names (docs/glossary.md);
#: the rest are published sub-items.
FUND_ITEMS: tuple[str, ...] = (
    "income",
    "expenditure",
    "balance",
    "reserve",
    "contribution_income",
    "benefit_expenditure",
    "mutual_aid_expenditure",
)

#: Medical services (docs/glossary.md) plus long-term care for the LTCI cost curve.
SERVICES: tuple[str, ...] = ("inpatient", "outpatient", "outpatient_special", "pharmacy", "long_term_care")

#: Hospital levels of the inpatient benefit tiers (docs/glossary.md; tier1 includes township centres).
HOSPITAL_LEVELS: tuple[str, ...] = ("tier3", "tier2", "tier1")

#: Levels of outpatient care (docs/glossary.md): the hospital levels and village clinics (村卫生室).
CARE_LEVELS: tuple[str, ...] = (*HOSPITAL_LEVELS, "village")

#: The two basic pools, whose benefit rules are costed claim by claim.
BASIC_POOLS: tuple[str, ...] = ("employee", "resident")

#: Insured statuses the model projects (the employee pool's three and the resident pool).
INSURED_STATUSES: tuple[str, ...] = ("in_service", "flexible", "retired", "resident")

#: The claims a benefit rule applies to: an admission at each hospital level, a special-disease
#: patient's year, a member's year of general outpatient care.
CLAIM_TYPES: tuple[str, ...] = tuple(c.name for c in CLAIM_TYPE_ENTRIES)

#: Medical-assistance groups (docs/glossary.md): 特困, 低保, 低保边缘, 易返贫致贫, 因病致贫重病患者.
ASSISTANCE_GROUPS: tuple[str, ...] = ("tekun", "dibao", "near_dibao", "at_risk", "illness_poor")

#: LTCI care modes (居家护理, 机构护理) and who finances LTCI.
CARE_MODES: tuple[str, ...] = ("home_care", "institutional_care")
LTCI_PAYERS: tuple[str, ...] = ("employee_pooled_fund", "individual", "fiscal")

#: Retirement-age tracks of the 2025 reform (men; women workers; women cadres).
RETIREMENT_TRACKS: tuple[str, ...] = ("male", "female_worker", "female_cadre")

#: A pool's income and expenditure lines (budget items; the result's income_item, expenditure_item).
INCOME_ITEMS: tuple[str, ...] = tuple(i.name for i in items_of("income"))
EXPENDITURE_ITEMS: tuple[str, ...] = tuple(i.name for i in items_of("expenditure"))

#: Published utilisation figures (NHSA bulletins) and their canonical units.
UTILISATION_INDICATORS: dict[str, str] = {
    "uses": "persons",  # person-times (人次): admissions, visits
    "users": "persons",  # persons receiving the benefit in the year (e.g. LTCI beneficiaries)
    "mean_cost": "yuan",  # cost per use (次均费用)
    "medical_expenses": "yuan",  # total medical cost of the insured for the service
    "catalog_payment_ratio": "ratio",  # fund payment / in-catalogue cost (目录内基金支付比例)
    "subsidized_enrollment": "persons",  # persons whose contribution assistance paid (资助参保)
}

#: Claim-size and case-mix parameters of the benefit model, and their canonical units.
CLAIM_PARAMETERS: dict[str, str] = {
    "cv": "ratio",  # coefficient of variation of the cost per claim (s.d. / mean)
    "level_share": "ratio",  # share of uses (admissions; outpatient visits) by level of care
    "level_cost_ratio": "ratio",  # cost per use at the level relative to a reference level
    "uses_per_patient": "per_person_year",  # visits a patient makes in a year
}

#: Administrative levels of a region bundle.
LEVELS: tuple[str, ...] = ("national", "province", "prefecture", "county")

#: Financing parameters and their canonical units.
FINANCING_PARAMETERS: dict[str, str] = {
    "fiscal_subsidy": "yuan/person/year",
    "individual_contribution": "yuan/person/year",
    "financing_per_capita": "yuan/person/year",
    "employer_rate": "ratio",
    "employee_rate": "ratio",
    "individual_account_employer_share": "ratio",
    "critical_illness_threshold_income_share": "ratio",
    "critical_illness_reimbursement_ratio": "ratio",
    "ltci_contribution_rate": "ratio",
}
