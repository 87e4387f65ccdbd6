"""Base-year calibration: the factors that make the model reproduce the last published year.

The fund base year is the last year of the bundle with the employee pooled fund's income and
expenditure (2024 for data/china). Calibration always uses the *root baseline* of a scenario
(the file that extends nothing) at the base year: the factors describe what was observed
under the rules then in force, and an overlay's departures from those rules show up as
differences from the bulletin.

Factors (each reproduces one published figure; see :func:`calibration_table`):

- enrollment coverage rates (in-service, retiree cohorts, residents) — insured counts;
- ``contribution_base``: collected base per in-service member — employee income net of interest;
- ``retiree_credit``: the fixed yearly credit to a retiree's account — individual-account income;
- ``resident_realisation``: resident income per enrollee over the national minimum standard;
- claim frequencies and sizes from the bulletin's uses and costs (:class:`~forecast.model.expenditure.ClaimModel`);
- ``outpatient_factor`` per pool: scales the outpatient claims so that the pool's expenditure
  matches (the bulletin does not split outpatient cost between general and special-disease
  care, nor publish outpatient deductibles nationally);
- ``assistance_factor``: scales direct medical assistance to the published total;
- ``ltci_take_up`` and ``ltci_cost_factor``: LTCI beneficiaries and spending per beneficiary.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from ..errors import InputError, Problem
from .expenditure import INPATIENT_LEVELS, ClaimModel

__all__ = ["costs_benefits", "BENEFIT_PARAMETERS", "Calibration", "fund_base_year", "base_year_figures", "claim_model", "reduced_claim_model", "interest_in_year", "require"]


@dataclass
class Calibration:
    """Base-year factors (plain numbers, recorded in a run's attrs)."""

    year: int
    contribution_base: float = np.nan
    retiree_credit: float = np.nan
    resident_realisation: float = np.nan
    outpatient_factor: dict = field(default_factory=dict)
    assistance_factor: float = np.nan
    ltci_take_up: float = np.nan
    ltci_cost_factor: float = np.nan
    ltci_financing_factor: float = np.nan
    individual_account_spend: float = np.nan  # yuan per weighted member
    assistance_per_member: float = 0.0  # direct assistance per group member when claims are reduced
    maternity_per_birth: float = np.nan
    patient_share: dict = field(default_factory=dict)  # (pool, claim type) -> base-year out-of-pocket share

    def as_dict(self) -> dict:
        out = asdict(self)
        out["patient_share"] = {f"{p}.{k}": v for (p, k), v in self.patient_share.items()}
        return out


def fund_base_year(region) -> int:
    """The last year with the employee fund's income and expenditure published (pooled fund, or
    before 2023 the employee total), the resident fund's, and the in-service count.

    A later full year with only some of them is refused rather than skipped: the base year must
    not move back silently because one figure was left blank."""
    years, partial = None, {}
    for pool, accounts in (("employee", ("pooled_fund", "total")), ("resident", ("total",))):
        found, seen = set(), set()
        for account in accounts:
            income = region.fund(pool, "income", account).dropna()
            spent = region.fund(pool, "expenditure", account).dropna()
            found |= set(income.index) & set(spent.index)
            seen |= set(income.index) | set(spent.index)
        years = found if years is None else years & found
        partial[pool] = seen
    insured = region.insured.sel(pool="employee", status="in_service").dropna("year")["year"].values
    complete = sorted(years & set(int(y) for y in insured))
    latest = max(partial["employee"] | partial["resident"], default=None)
    path = region.path / region.files.get("fund_history", {}).get("path", "fund_history.csv")
    if not complete:
        raise InputError(Problem(path, "no year with the employee and resident funds' income and expenditure and the in-service count", "add the last published year's rows (employee pooled_fund or total, resident total; insured.csv in_service)"))
    if latest is not None and latest > complete[-1]:
        missing = [f"{pool} income and expenditure" for pool in ("employee", "resident") if latest not in years or latest not in partial[pool]]
        missing += [] if latest in insured else ["the employee in_service count (insured.csv)"]
        raise InputError(Problem(path, f"{latest} has some fund figures but not all the base year needs ({', '.join(missing) or 'the pair of income and expenditure'}): the base year would fall back to {complete[-1]} without notice", f"fill in {latest}'s blank figures, or remove its rows to make {complete[-1]} the base year"))
    return int(complete[-1])


def require(region, value: float, what: str, fix: str) -> float:
    """A published figure the calibration needs, or a located error."""
    if value is None or not np.isfinite(value):
        raise InputError(Problem(region.path, f"the fund model needs {what}, which the bundle lacks", fix))
    return float(value)


def base_year_figures(region, year: int) -> dict:
    """The published figures the calibration reproduces (yuan, persons), by name."""

    def fund(pool, item, account="total", y=year):
        series = region.fund(pool, item, account)
        return float(series.get(y, np.nan))

    def insured(pool, status):
        return float(region.insured.sel(year=year, pool=pool, status=status)) if year in region.insured["year"].values else np.nan

    pooled = [np.isfinite(fund("employee", item, "pooled_fund")) for item in ("income", "expenditure")]
    if any(pooled) and not all(pooled):
        given, blank = ("income", "expenditure") if pooled[0] else ("expenditure", "income")
        raise InputError(Problem(region.path / "fund_history.csv", f"{year}: the employee pooled fund's {given} is given but its {blank} is blank", "give both (the bulletin's 统筹基金 figures), or neither, to calibrate the employee fund as one account", field="value"))
    folded = not any(pooled)
    figures = {
        "in_service": insured("employee", "in_service"),
        "retired": insured("employee", "retired"),
        "residents": insured("resident", "all"),
        "ltci_insured": insured("ltci", "all"),
        "employee_pooled_income": fund("employee", "income", "pooled_fund"),
        "employee_pooled_expenditure": fund("employee", "expenditure", "pooled_fund"),
        "employee_pooled_reserve_opening": fund("employee", "reserve", "pooled_fund", year - 1),
        "employee_pooled_reserve": fund("employee", "reserve", "pooled_fund"),
        "individual_account_income": fund("employee", "income", "individual_account"),
        "individual_account_expenditure": fund("employee", "expenditure", "individual_account"),
        "individual_account_reserve_opening": fund("employee", "reserve", "individual_account", year - 1),
        "maternity_expenditure": fund("employee", "expenditure", "maternity"),
        "resident_income": fund("resident", "income"),
        "resident_expenditure": fund("resident", "expenditure"),
        "resident_reserve_opening": fund("resident", "reserve", "total", year - 1),
        "resident_reserve": fund("resident", "reserve"),
        "assistance_expenditure": fund("medical_assistance", "expenditure"),
        "ltci_income": fund("ltci", "income"),
        "ltci_expenditure": fund("ltci", "expenditure"),
        "ltci_income_previous": fund("ltci", "income", "total", year - 1),
        "ltci_expenditure_previous": fund("ltci", "expenditure", "total", year - 1),
        "ltci_users": region.use(year, "ltci", "long_term_care", "users"),
    }
    if folded:
        # before 2023 the bulletins give the employee fund as a whole: calibrate it as one account
        figures.update(
            employee_pooled_income=fund("employee", "income"),
            employee_pooled_expenditure=fund("employee", "expenditure"),
            employee_pooled_reserve_opening=fund("employee", "reserve", "total", year - 1),
            employee_pooled_reserve=fund("employee", "reserve"),
            individual_account_income=0.0,
            individual_account_expenditure=0.0,
            individual_account_reserve_opening=0.0,
        )
    figures["accounts_folded"] = float(folded)
    needed = {
        "in_service": "insured.csv: employee in_service",
        "retired": "insured.csv: employee retired",
        "residents": "insured.csv: resident all",
        "employee_pooled_income": "fund_history.csv: employee pooled_fund income",
        "employee_pooled_expenditure": "fund_history.csv: employee pooled_fund expenditure",
        "employee_pooled_reserve_opening": f"fund_history.csv: employee pooled_fund reserve for {year - 1}",
        "individual_account_income": "fund_history.csv: employee individual_account income",
        "individual_account_expenditure": "fund_history.csv: employee individual_account expenditure",
        "resident_income": "fund_history.csv: resident total income",
        "resident_expenditure": "fund_history.csv: resident total expenditure",
        "resident_reserve_opening": f"fund_history.csv: resident total reserve for {year - 1}",
        "maternity_expenditure": "fund_history.csv: employee maternity expenditure (write 0 if the bundle does not split it out: it then stays in the other benefits)",
        "assistance_expenditure": "fund_history.csv: medical_assistance total expenditure",
    }
    for key, where in needed.items():
        require(region, figures[key], f"the {year} figure '{key}'", f"add it ({where})")
    ltci = {"LTCI income": figures["ltci_income"], "LTCI expenditure": figures["ltci_expenditure"], "LTCI beneficiaries (utilisation.csv: ltci long_term_care users)": figures["ltci_users"]}
    given = [k for k, v in ltci.items() if np.isfinite(v)]
    if given and len(given) < len(ltci):
        raise InputError(Problem(region.path, f"{year}: {', '.join(given)} given but not {', '.join(k for k in ltci if k not in given)}: LTCI cannot be calibrated from part of its figures", "give all three for the base year, or none (LTCI is then not projected)"))
    return figures


def interest_in_year(opening: float, income: float, expenditure: float, rate: float) -> float:
    """The interest contained in a published year's income, by the model's convention.

    Solves i = rate · (opening + (income − i − expenditure)/2) for i (none on a negative base).
    """
    i = rate * (opening + (income - expenditure) / 2) / (1 + rate / 2)
    return max(i, 0.0)


def costs_benefits(region, year: int) -> bool:
    """True when the bundle publishes benefit use for ``year``, so benefit rules are costed claim
    by claim; False when the calibration falls back to :func:`reduced_claim_model`."""
    return all(np.isfinite(region.use(year, pool, "inpatient", "uses")) for pool in ("employee", "resident"))


#: scenario parameters that only the full claim model can cost
BENEFIT_PARAMETERS = ("policy.employee.benefits.", "policy.resident.benefits.", "policy.critical_illness.", "policy.medical_assistance.groups.", "policy.medical_assistance.annual_limit")


def reduced_claim_model(region) -> ClaimModel:
    """The claim model of a base year without published benefit use (before 2023 in data/china):
    one claim type, paid in full, one unit per weighted member; the calibration scales it to the
    pool's expenditure. Benefit-design changes have no effect in this mode."""
    cv = region.claim("outpatient", "cv")
    return ClaimModel(
        inpatient_rate=0.0,
        inpatient_mean={k: 1.0 for k in INPATIENT_LEVELS},
        inpatient_share={k: 1 / len(INPATIENT_LEVELS) for k in INPATIENT_LEVELS},
        inpatient_cv=1.0,
        special_rate=0.0,
        special_mean=1.0,
        special_cv=1.0,
        outpatient_mean=1.0,
        outpatient_cv=cv if np.isfinite(cv) else 1.0,
        reduced=True,
    )


def claim_model(region, year: int, pool: str, weighted_inpatient: float, weighted_outpatient: float) -> ClaimModel:
    """Base-year claim frequencies and sizes of ``pool`` from the bulletin's use and cost figures
    (:func:`reduced_claim_model` when the base year has none).

    Outpatient cost = the insured's medical expenses at institutions − inpatient cost; it is
    split between special-disease and general outpatient care in proportion to visits (the
    bulletin publishes visits but not costs by outpatient type).
    """
    fix = "add the bulletin's figures to utilisation.csv (see data/china)"

    def use(service, indicator):
        return require(region, region.use(year, pool, service, indicator), f"utilisation {pool} {service} {indicator} for {year}", fix)

    def claim(service, parameter, level="all"):
        return require(region, region.claim(service, parameter, level), f"claim_sizes {service} {level} {parameter}", "add it to claim_sizes.csv (see data/china)")

    if not np.isfinite(region.use(year, pool, "inpatient", "uses")):
        return reduced_claim_model(region)
    admissions, mean_cost = use("inpatient", "uses"), use("inpatient", "mean_cost")
    pharmacy = region.use(year, pool, "pharmacy", "medical_expenses")
    institutions = use("all", "medical_expenses") - (pharmacy if np.isfinite(pharmacy) else 0.0)
    outpatient_cost = institutions - admissions * mean_cost
    visits_general, visits_special = use("outpatient", "uses"), use("outpatient_special", "uses")
    special_cost = outpatient_cost * visits_special / (visits_general + visits_special)
    patients = visits_special / claim("outpatient_special", "uses_per_patient")
    shares = {level: claim("inpatient", "level_share", level) for level in INPATIENT_LEVELS}
    ratios = {level: claim("inpatient", "level_cost_ratio", level) for level in INPATIENT_LEVELS}
    total_share = sum(shares.values())
    shares = {k: v / total_share for k, v in shares.items()}
    norm = sum(shares[k] * ratios[k] for k in INPATIENT_LEVELS)
    return ClaimModel(
        inpatient_rate=admissions / weighted_inpatient,
        inpatient_mean={k: mean_cost * ratios[k] / norm for k in INPATIENT_LEVELS},
        inpatient_share=shares,
        inpatient_cv=claim("inpatient", "cv"),
        special_rate=patients / weighted_outpatient,
        special_mean=special_cost / patients,
        special_cv=claim("outpatient_special", "cv"),
        outpatient_mean=(outpatient_cost - special_cost) / weighted_outpatient,
        outpatient_cv=claim("outpatient", "cv"),
    )
