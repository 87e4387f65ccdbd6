"""The ``policy`` part of the scenario parameter schema (:data:`forecast.scenario.parameters.SCHEMA`):
each pool's financing, benefits and rules (employee, resident, critical illness, medical assistance,
long-term care), each leaf a :class:`~forecast.scenario.param.Param` with its unit, range and meaning.
The registry's items add their own parameters under each pool that books them (in
:mod:`forecast.scenario.parameters`)."""

from __future__ import annotations

from ..vocabulary import ASSISTANCE_GROUPS
from .param import param as _p
from .schema_parts import AGE_RULE as _AGE_RULE
from .schema_parts import benefits as _benefits
from .schema_parts import financing_rule as _rule
from .schema_parts import limit as _limit

__all__ = ["POLICY"]

POLICY: dict = {
    "employee": {
        "employer_rate": _p(
            "ratio",
            "单位缴费率: employer contribution rate (share of the contribution base)",
            0.0,
            0.3,
            reference="国发〔1998〕44号",
        ),
        "employee_rate": _p("ratio", "个人缴费率: employee contribution rate", 0.0, 0.2, reference="国发〔1998〕44号"),
        "financing_rule": _rule("the employer contribution rate (the pooled fund's share of the contributions)"),
        "maternity_rate": _p("ratio", "生育保险费率 (merged into the employee pool)", 0.0, 0.05),
        "flexible_base_ratio": _p(
            "ratio", "flexible workers' contribution base as a share of the average base", 0.0, 3.0, default=0.6
        ),
        "retiree_contribution_rate": _p(
            "ratio",
            "contribution rate retirees pay on their pension (0 under current law, 社会保险法 第二十七条)",
            0.0,
            0.2,
            default=0.0,
        ),
        "retiree_base_ratio": _p(
            "ratio",
            "retirees' contribution base as a share of the in-service average base (for a retiree contribution)",
            0.0,
            3.0,
            default=0.0,
        ),
        "individual_account": {
            "in_service_rate": _p(
                "ratio",
                "share of the base credited to in-service individual accounts (国办发〔2021〕14号: the 2%)",
                0.0,
                0.2,
            ),
            "retiree_credit": _p(
                "yuan/person/year",
                "the reformed credit to a retiree's account (≈2% of the average pension in the reform year, not "
                "adjusted); 0 = the amount calibrated to "
                "the base year",
                default=0.0,
                reference=(
                    "国办发〔2021〕14号: 退休人员个人账户原则上由统筹基金按定额划入, "
                    "划入额度逐步调整到统筹地区实施改革当年基本养老金平均水平的2%左右"
                ),
            ),
            "reform_share": _p(
                "ratio",
                "share of retirees whose account credit is at the reformed level (the rest at the pre-reform level): "
                "the reform's phase-in, 1 once "
                "it is complete",
                default=1.0,
                scheduled=True,
                reference=(
                    "国办发〔2021〕14号: provinces set their rules by the end of 2021, with a transition "
                    "of about three years"
                ),
            ),
            "legacy_credit_ratio": _p(
                "ratio",
                "a retiree's pre-reform account credit relative to the reformed one (assumption: 1.9, the in-service "
                "ratio of 国发〔1998〕44号's 2% + "
                "30% of the employer's 6% to the reform's 2%; no national figure for retirees is published)",
                1.0,
                5.0,
                dated=False,
                default=1.9,
            ),
        },
        "retirement_age": {
            "start_year": _p("year", "the year the gradual retirement-age increase starts", 2000, 2100, dated=False),
            "male": dict(_AGE_RULE),
            "female_worker": dict(_AGE_RULE),
            "female_cadre": dict(_AGE_RULE),
            "female_worker_share": _p(
                "ratio",
                "share of women employees on the workers' (50) track rather than the cadres' (55); no national figure "
                "is published",
                dated=False,
            ),
        },
        "benefits": _benefits("employee"),
    },
    "resident": {
        "individual_contribution": _p(
            "yuan/person/year", "个人缴费: per-capita individual contribution", after="mean_increment"
        ),
        "fiscal_subsidy": _p(
            "yuan/person/year", "财政补助: per-capita fiscal subsidy (minimum standard)", after="mean_increment"
        ),
        "financing_rule": _rule(
            "the per-person financing standard (individual contribution and fiscal subsidy, their split held)"
        ),
        "benefits": _benefits("resident"),
    },
    "critical_illness": {
        "threshold_income_share": _p(
            "ratio", "threshold as a share of the previous year's per-capita disposable income", 0.0, 2.0
        ),
        "bands": {
            "first_ratio": _p("ratio", "reimbursement ratio from the threshold up to band_limit"),
            "band_limit": _limit(
                "out-of-pocket amount (above the threshold) where the second ratio starts", "disposable_income_growth"
            ),
            "second_ratio": _p("ratio", "reimbursement ratio above band_limit"),
        },
        "annual_cap": _limit("annual cap on critical-illness payment per person", "disposable_income_growth"),
        "covers_employees": _p(
            "bool",
            "true: employees have a critical-illness layer financed alike (职工大额医疗费用补助)",
            dated=False,
            default=False,
        ),
        "loading": _p(
            "ratio", "premium loading over expected claims (insurer's margin), for the break-even transfer", 0.0, 0.5
        ),
    },
    "medical_assistance": {
        "groups": {
            g: {
                "population_share": _p("ratio", f"{g}: share of the population in the group"),
                "assistance_ratio": _p(
                    "ratio", f"{g}: share of the remaining policy-scope out-of-pocket cost assistance pays"
                ),
                "contribution_subsidy": _p(
                    "ratio", f"{g}: share of the resident individual contribution paid by assistance (资助参保)"
                ),
            }
            for g in ASSISTANCE_GROUPS
        },
        "annual_limit": _limit("年度救助限额: annual assistance limit per person", "disposable_income_growth"),
        "budget": _p(
            "yuan",
            "the year's medical-assistance budget (a total set year by year, held after the last given year); 0 in "
            "every year = pay-as-you-go "
            "(the budget pays what is spent)",
            0.0,
            1e13,
            default=0.0,
        ),
    },
    "ltci": {
        "financing_rule": _rule("the LTCI financing per covered person"),
        "coverage": {
            "employee": _p("ratio", "share of employee-pool members covered by LTCI (pilot scope)"),
            "resident": _p("ratio", "share of resident-pool members covered by LTCI"),
        },
        "financing_per_capita": _p("yuan/person/year", "LTCI financing per covered person a year", after="wage_growth"),
        "financing_shares": {
            "employee_pooled_fund": _p(
                "ratio",
                "share of employees' LTCI financing drawn from the employee pooled fund "
                "(医保发〔2020〕37号: the employer half may be)",
            ),
            "individual": _p("ratio", "share paid by the covered persons"),
            "fiscal": _p("ratio", "share paid by public budgets (for residents, also the employee-pooled-fund share)"),
        },
        "care_mix": {
            "home_care": _p("ratio", "share of beneficiaries in home care"),
            "institutional_care": _p("ratio", "share of beneficiaries in institutional care"),
        },
        "monthly_cost": {
            "home_care": _p(
                "yuan/person/month",
                "policy-scope cost of home care per beneficiary-month (grows with the average wage: care is labour)",
                after="wage_growth",
                limit=True,
            ),
            "institutional_care": _p(
                "yuan/person/month",
                "policy-scope cost of institutional care per beneficiary-month (grows with the average wage)",
                after="wage_growth",
                limit=True,
            ),
        },
        "reimbursement_ratio": {
            "home_care": _p("ratio", "fund's share of home-care cost"),
            "institutional_care": _p("ratio", "fund's share of institutional-care cost"),
        },
    },
}
