"""The parts of the scenario schema that repeat from pool to pool (:mod:`.parameters` assembles them):
a financing rule, benefit limits continued by an index one year behind, a basic pool's benefit rules by
service and level of care (and the employee pool's retirees'), a retirement-age track."""

from __future__ import annotations

from ..vocabulary import CARE_LEVELS, HOSPITAL_LEVELS
from .param import param as _p

__all__ = ["FINANCING_RULES", "INDEX_OF", "AGE_RULE", "financing_rule", "limit", "benefits"]


#: how a pool's financing lever may be set each year (forecast.model.financing.rules)
FINANCING_RULES = ("none", "balance_band", "no_deficit", "no_exhaustion")


def financing_rule(lever: str) -> dict:
    """A pool's ``financing_rule`` keys: how ``lever`` is set each year from the reserve."""
    return {
        "rule": _p(
            "label",
            f"how {lever} is set each year: none (as given); balance_band (so the reserve returns to the band's "
            "nearest edge when it leaves it, as a bureau sets next year's standard); no_deficit (raised so the year's "
            "balance is not negative); no_exhaustion (raised so the reserve stays positive)",
            dated=False,
            choices=FINANCING_RULES,
            default="none",
        ),
        "low_months": _p(
            "months",
            "balance_band: the band's lower edge, months of expenditure",
            0.0,
            120.0,
            dated=False,
            default=6.0,
            reference="人社部发〔2009〕67号: 6-9 months",
        ),
        "high_months": _p(
            "months",
            "balance_band: the band's upper edge, months of expenditure",
            0.0,
            240.0,
            dated=False,
            default=9.0,
            reference="人社部发〔2009〕67号: 6-9 months",
        ),
        "from_year": _p(
            "year",
            "the first year the rule sets the lever (0: the first projected year)",
            0,
            2300,
            dated=False,
            default=0,
        ),
        "until_year": _p(
            "year",
            "the last year the rule sets the lever (0: the horizon); after it the lever keeps its last value",
            0,
            2300,
            dated=False,
            default=0,
        ),
    }


#: how a pool's benefit limits continue: employees' with the average wage, residents' with per-capita
#: disposable income, each one year behind (limits are reset to multiples of last year's figure:
#: 国发〔1998〕44号 起付标准 about 10% and 最高支付限额 about 4 times the local average wage; the
#: resident caps about 6 times disposable income; 国办发〔2021〕42号 assistance thresholds as shares of it)
INDEX_OF = {"employee": "wage_growth", "resident": "disposable_income_growth"}


def limit(description: str, series: str, **kw):
    """A benefit limit in yuan, continued by ``series`` one year behind (frozen by the global switch)."""
    return _p("yuan", description, after=series, lag=1, limit=True, **kw)


def _tier(kind: str, pool: str) -> dict:
    return {
        "deductible": limit(
            f"起付线: the deductible per {kind} (yuan)", INDEX_OF[pool], reference="local benefit rules"
        ),
        "reimbursement_ratio": _p("ratio", "报销比例: the fund's share of policy-scope cost above the deductible"),
    }


def _care_level(level: str) -> dict:
    return {
        "reimbursement_ratio": _p(
            "ratio",
            f"报销比例 at {level}: the fund's share of general-outpatient cost there (left out: the outpatient "
            "reimbursement_ratio); the deductible and the annual cap stay one for the year, and a member's cost is "
            "spread over the levels as the bundle's claim_sizes say (outpatient level_share × level_cost_ratio)",
            default_from="reimbursement_ratio",
            reference="local benefit rules (e.g. 黔东南州 2023: tier-2 60%, township 85%, village 90%)",
        )
    }


def _retired() -> dict:
    """Employee general-outpatient rules of retirees (退休人员), each left out: the outpatient rule one level up."""
    follows = "(left out: the employee outpatient value, following it when an overlay or a solver moves it)"
    return {
        "deductible": limit(
            f"起付线 of retirees: their general-outpatient deductible a year (yuan) {follows}",
            INDEX_OF["employee"],
            default_from="deductible",
            reference="local benefit rules",
        ),
        "reimbursement_ratio": _p(
            "ratio",
            f"报销比例 of retirees: the fund's share of their general-outpatient cost above the deductible {follows}; "
            "where the levels of care are graded, a retiree's ratio at a level is the level's ratio + this ratio − the "
            "outpatient reimbursement_ratio (the same points above or below the in-service grading), at most 1",
            default_from="reimbursement_ratio",
            reference="local benefit rules (e.g. 绍兴市: retirees 60% → 70-80%, in-service members 50% → 65-75%)",
        ),
        "annual_cap": limit(
            f"the annual cap on retirees' general-outpatient payment per person (yuan) {follows}",
            INDEX_OF["employee"],
            default_from="annual_cap",
        ),
    }


def benefits(pool: str) -> dict:
    """A basic pool's ``benefits`` keys: inpatient by hospital level, general outpatient (by level of care;
    the employee pool's retirees apart) and outpatient special & chronic disease, limits indexed by
    ``pool``'s series."""
    levels = {
        level: _tier("admission (times the admissions per patient in the year)", pool) for level in HOSPITAL_LEVELS
    }
    series = INDEX_OF[pool]
    retired = {"retired": _retired()} if pool == "employee" else {}
    return {
        "inpatient": {
            **levels,
            "annual_cap": limit("封顶线: the annual cap on the fund's inpatient payment per person (yuan)", series),
        },
        "outpatient": {
            **_tier("year", pool),
            "annual_cap": limit("the annual cap on general-outpatient (门诊共济) payment per person (yuan)", series),
            **{level: _care_level(level) for level in CARE_LEVELS},
            **retired,
        },
        "outpatient_special": {
            **_tier("year", pool),
            "annual_cap": limit(
                "the annual cap on outpatient special & chronic disease (门诊慢特病) payment per patient (yuan)", series
            ),
            "cap_shared_with_inpatient": _p(
                "bool",
                "true: the special-disease cap is the inpatient cap, shared (温州 2023 rule); false: a separate cap",
                default=False,
            ),
        },
    }


AGE_RULE = {
    "from": _p("year", "statutory retirement age before the reform (years)", 40, 70, dated=False),
    "to": _p("year", "statutory retirement age at the end of the reform (years)", 40, 70, dated=False),
    "months_per_step": _p(
        "months", "the retirement age rises one month for every this many months of birth date", 1, 24, dated=False
    ),
}
