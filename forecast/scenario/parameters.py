"""The scenario parameter schema: every key a scenario may set, with its unit, range and meaning.

Each leaf is a :class:`Param`. Values in files are either a scalar or *dated values*: a
mapping year -> value, or the long form::

    fiscal_subsidy:
      values: {2024: 670, 2030: 850}
      between: linear          # step (default): a value holds until the next given year
      after: wage_growth       # hold (default) | wage_growth | price_inflation | disposable_income_growth

Dated values are :class:`~forecast.scenario.dated.DatedValue`; :mod:`forecast.scenario.rules`
resolves every parameter over the projection years into one labelled Dataset.

Each leaf's declaration and the reading of values are in :mod:`forecast.scenario.param`. Units come
from the closed list of :mod:`forecast.units`. In files a ratio may be written
``0.65`` or ``"65%"``; money may be written ``2000``, ``"2000元"``, ``"20万"`` or ``"20万元"``
(万 = 10,000 exactly), and budgets also ``"800亿"`` (亿 = 1e8 is refused for benefit parameters,
where no value is that large and a slip would go unnoticed).
"""

from __future__ import annotations

from ..registry import ITEM_ENTRIES
from ..vocabulary import ASSISTANCE_GROUPS
from .param import MONEY_UNITS, Param, coerce  # re-exported: the schema's public names
from .param import growth as _growth
from .param import param as _p
from .schema_parts import AGE_RULE as _AGE_RULE
from .schema_parts import benefits as _benefits
from .schema_parts import financing_rule as _rule
from .schema_parts import limit as _limit

__all__ = ["Param", "SCHEMA", "FITTED_YEARS", "MONEY_UNITS", "coerce", "iter_params"]

#: a fitted path ('fitted' growth, coverage) is written out year by year this far past the base
#: year (a damped trend has faded long before), then held
FITTED_YEARS = 60


#: The schema tree. ``assumptions.demography`` is validated by :mod:`forecast.scenario` itself
#: (it predates this table and has structured values such as age bands).
SCHEMA: dict = {
    "horizon": _p("year", "the last projected year", 2021, 2300, dated=False, default=2060),
    "assumptions": {
        "economy": {
            "wage_growth": _growth(
                "nominal growth of the average wage and so of the contribution base ('fitted': the history's growth of employee income per in-service member)",
                fitted_from="employee_income_per_in_service",
            ),
            "price_inflation": _growth("consumer-price inflation, the price part of medical cost growth"),
            "disposable_income_growth": _growth("growth of residents' per-capita disposable income (moves the critical-illness threshold)"),
            "disposable_income_per_capita": _p(
                "yuan/person/year", "全国居民人均可支配收入 (yuan a year per person)", after="disposable_income_growth", reference="NBS statistical communiqué"
            ),
            "interest_rate": _p("ratio", "interest credited on reserves (ratio a year)", 0.0, 0.2),
        },
        "medical_costs": {
            "cost_trend": {
                pool: _growth(
                    f"real growth of the {pool} pool's cost per insured person at constant age structure (utilisation, intensity, technology; 'fitted': "
                    f"the path forecast by the growth model of the {pool} fund's expenditure per insured person, less price inflation and the population's ageing)",
                    fitted_from=f"{pool}_cost_trend",
                )
                for pool in ("employee", "resident")
            },
            "utilisation_growth": {
                s: _growth(f"real growth of {s} cost per person on top of the pool's cost trend (0: as the pool's trend)", default=0.0)
                for s in ("inpatient", "outpatient", "outpatient_special", "pharmacy")
            }
            | {"long_term_care": _growth("real growth of long-term care use per beneficiary (unit costs grow with wages)", default=0.0)},
            "assistance_trend": _growth(
                "growth of medical assistance spending beyond what its groups' rules and the resident pool's claims give (the widening of "
                "assistance: more people in the groups, low-income monitoring; 'fitted': the path forecast by the growth model of medical "
                "assistance spending over the resident fund's spending)",
                fitted_from="assistance_trend",
                default=0.0,
            ),
            "payment_reform_effect": _growth("effect of DIP/DRG payment and volume-based procurement on cost growth (negative lowers it)"),
            "induced_demand_elasticity": _p(
                "ratio",
                "elasticity of use with respect to the patient's share of cost (0: none; RAND HIE about -0.2)",
                -1.0,
                0.0,
                default=0.0,
                reference="Manning et al. (1987), AER 77(3):251-277",
            ),
        },
        "uncertainty": {
            **{
                driver: _p("ratio", f"scale of the {what} in stochastic runs (--draws) and in the low/high-cost sets (1: as fitted; 0: off)", 0.0, 5.0, dated=False, default=1.0)
                for driver, what in (
                    ("population", "population's draws (Lee–Carter k_t and the TFR random walk)"),
                    ("cost_trend", "real cost growth's deviations per pool (AR(1) on the log growth, fitted to the bulletins)"),
                    ("wage_growth", "contribution-base growth's deviations (AR(1), fitted)"),
                    ("coverage", "coverage deviations of in-service members and residents (AR(1) on the counts' growth, fitted)"),
                    ("interest_rate", "interest rate's deviations (AR(1) around the scenario's rate)"),
                    ("financing_increment", "resident financing increments' deviations (their historical s.d.)"),
                )
            },
            "cost_correlation": _p(
                "ratio", "correlation of the employee and resident cost-growth shocks (left out: estimated with the wage shocks' from the history's one-year "
                "errors, shrunk toward 0; give a number to state it)", -1.0, 1.0, dated=False, default=float("nan"),
            ),
            "interest_rate_sd": _p(
                "ratio", "s.d. of the interest rate's yearly shock (AR(1), persistence 0.8: a stationary s.d. of about 0.4 points at 0.0025)", 0.0, 0.05, dated=False, default=0.0025,
                reference="assumption; the PBoC one-year deposit benchmark moved between 1.5% and 4.14% in 2002-2015",
            ),
            "deterministic_set": _p(
                "label", "intermediate: the scenario as given; low_cost / high_cost: every driver at its favourable / adverse set_percentile path (the trustees' three lines)",
                dated=False, choices=("intermediate", "low_cost", "high_cost"), default="intermediate",
            ),
            "set_percentile": _p("ratio", "the percentile of each driver's path in the low/high-cost sets (0.9: the 10th and 90th)", 0.5, 0.999, dated=False, default=0.9),
        },
        "deficits": {
            "financing": _p(
                "label",
                "how a pool's accumulated deficit (a reserve below zero) is financed: debt (carried in the reserve, with interest at interest_rate booked "
                "as 累计赤字利息支出) or fiscal (public budgets top it up to zero each year: 财政兜底补助, 社会保险法 第六十五条)",
                dated=False, choices=("debt", "fiscal"), default="debt",
            ),
            "interest_rate": _p(
                "ratio", "interest on an accumulated deficit carried as debt (ratio a year; left out: the fund's own interest_rate)", 0.0, 0.2,
                dated=False, default=float("nan"),
            ),
        },
        "indexation": {
            "benefit_limits": _p(
                "label",
                "how benefit limits in yuan continue after their last given value: indexed (each by its rule: employees' with the average wage, residents' "
                "with per-capita disposable income, one year behind; LTCI unit costs with the wage) or frozen (held at their last yuan value: the "
                "convention before issue 23, under which caps bind less and deductibles vanish in real terms)",
                dated=False, choices=("indexed", "frozen"), default="indexed",
            ),
        },
        "enrollment": {
            "in_service_coverage": _p(
                "ratio",
                "in-service coverage of the working-age population relative to the base year (1.0 = as in the base year; 'fitted': the history's "
                "trend relative to the population aged 20-59, fading by trend_damping a year to its long-run level; at least 0.1: a pool that loses "
                "nearly all its members is a pool closed, which the model does not represent)",
                0.1,
                3.0,
                fitted_from="in_service_coverage",
            ),
            "resident_coverage": _p(
                "ratio",
                "coverage of the rest of the population by the resident pool relative to the base year ('fitted': the history's trend, fading by "
                "trend_damping a year to its long-run level; at least 0.1)",
                0.1,
                1.5,
                fitted_from="resident_coverage",
            ),
            "trend_damping": _p(
                "ratio",
                "share of a fitted coverage trend that carries into the next year (0: the trend stops at once; 0.8: it halves in about 3 years "
                "and the coverage settles at the level of 4 years of the first year's trend)",
                0.0,
                0.99,
                dated=False,
                default=0.8,
            ),
            "compliance_rate": _p("ratio", "contribution compliance relative to the base year's collected base (1.0 = as collected)", 0.0, 1.5),
            "flexible_worker_share": _p(
                "ratio", "share of working-age resident enrollees who join the employee pool as flexible workers", default=0.0, dated=True
            ),
        },
    },
    "policy": {
        "employee": {
            "employer_rate": _p("ratio", "单位缴费率: employer contribution rate (share of the contribution base)", 0.0, 0.3, reference="国发〔1998〕44号"),
            "employee_rate": _p("ratio", "个人缴费率: employee contribution rate", 0.0, 0.2, reference="国发〔1998〕44号"),
            "financing_rule": _rule("the employer contribution rate (the pooled fund's share of the contributions)"),
            "maternity_rate": _p("ratio", "生育保险费率 (merged into the employee pool)", 0.0, 0.05),
            "flexible_base_ratio": _p("ratio", "flexible workers' contribution base as a share of the average base", 0.0, 3.0, default=0.6),
            "retiree_contribution_rate": _p(
                "ratio", "contribution rate retirees pay on their pension (0 under current law, 社会保险法 第二十七条)", 0.0, 0.2, default=0.0
            ),
            "retiree_base_ratio": _p(
                "ratio", "retirees' contribution base as a share of the in-service average base (for a retiree contribution)", 0.0, 3.0, default=0.0
            ),
            "individual_account": {
                "in_service_rate": _p("ratio", "share of the base credited to in-service individual accounts (国办发〔2021〕14号: the 2%)", 0.0, 0.2),
                "retiree_credit": _p(
                    "yuan/person/year",
                    "the reformed credit to a retiree's account (≈2% of the average pension in the reform year, not adjusted); 0 = the amount calibrated to "
                    "the base year",
                    default=0.0,
                    reference="国办发〔2021〕14号: 退休人员个人账户原则上由统筹基金按定额划入, 划入额度逐步调整到统筹地区实施改革当年基本养老金平均水平的2%左右",
                ),
                "reform_share": _p(
                    "ratio",
                    "share of retirees whose account credit is at the reformed level (the rest at the pre-reform level): the reform's phase-in, 1 once "
                    "it is complete",
                    default=1.0, scheduled=True,
                    reference="国办发〔2021〕14号: provinces set their rules by the end of 2021, with a transition of about three years",
                ),
                "legacy_credit_ratio": _p(
                    "ratio",
                    "a retiree's pre-reform account credit relative to the reformed one (assumption: 1.9, the in-service ratio of 国发〔1998〕44号's 2% + "
                    "30% of the employer's 6% to the reform's 2%; no national figure for retirees is published)",
                    1.0, 5.0, dated=False, default=1.9,
                ),
            },
            "retirement_age": {
                "start_year": _p("year", "the year the gradual retirement-age increase starts", 2000, 2100, dated=False),
                "male": dict(_AGE_RULE),
                "female_worker": dict(_AGE_RULE),
                "female_cadre": dict(_AGE_RULE),
                "female_worker_share": _p(
                    "ratio", "share of women employees on the workers' (50) track rather than the cadres' (55); no national figure is published", dated=False
                ),
            },
            "benefits": _benefits("employee"),
        },
        "resident": {
            "individual_contribution": _p("yuan/person/year", "个人缴费: per-capita individual contribution", after="mean_increment"),
            "fiscal_subsidy": _p("yuan/person/year", "财政补助: per-capita fiscal subsidy (minimum standard)", after="mean_increment"),
            "financing_rule": _rule("the per-person financing standard (individual contribution and fiscal subsidy, their split held)"),
            "benefits": _benefits("resident"),
        },
        "critical_illness": {
            "threshold_income_share": _p("ratio", "threshold as a share of the previous year's per-capita disposable income", 0.0, 2.0),
            "bands": {
                "first_ratio": _p("ratio", "reimbursement ratio from the threshold up to band_limit"),
                "band_limit": _limit("out-of-pocket amount (above the threshold) where the second ratio starts", "disposable_income_growth"),
                "second_ratio": _p("ratio", "reimbursement ratio above band_limit"),
            },
            "annual_cap": _limit("annual cap on critical-illness payment per person", "disposable_income_growth"),
            "covers_employees": _p("bool", "true: employees have a critical-illness layer financed alike (职工大额医疗费用补助)", dated=False, default=False),
            "loading": _p("ratio", "premium loading over expected claims (insurer's margin), for the break-even transfer", 0.0, 0.5),
        },
        "medical_assistance": {
            "groups": {
                g: {
                    "population_share": _p("ratio", f"{g}: share of the population in the group"),
                    "assistance_ratio": _p("ratio", f"{g}: share of the remaining policy-scope out-of-pocket cost assistance pays"),
                    "contribution_subsidy": _p("ratio", f"{g}: share of the resident individual contribution paid by assistance (资助参保)"),
                }
                for g in ASSISTANCE_GROUPS
            },
            "annual_limit": _limit("年度救助限额: annual assistance limit per person", "disposable_income_growth"),
            "budget": _p(
                "yuan", "the year's medical-assistance budget (a total set year by year, held after the last given year); 0 in every year = pay-as-you-go "
                "(the budget pays what is spent)", 0.0, 1e13, default=0.0
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
                "employee_pooled_fund": _p("ratio", "share of employees' LTCI financing drawn from the employee pooled fund (医保发〔2020〕37号: the employer half may be)"),
                "individual": _p("ratio", "share paid by the covered persons"),
                "fiscal": _p("ratio", "share paid by public budgets (for residents, also the employee-pooled-fund share)"),
            },
            "care_mix": {
                "home_care": _p("ratio", "share of beneficiaries in home care"),
                "institutional_care": _p("ratio", "share of beneficiaries in institutional care"),
            },
            "monthly_cost": {
                "home_care": _p("yuan/person/month", "policy-scope cost of home care per beneficiary-month (grows with the average wage: care is labour)", after="wage_growth", limit=True),
                "institutional_care": _p("yuan/person/month", "policy-scope cost of institutional care per beneficiary-month (grows with the average wage)", after="wage_growth", limit=True),
            },
            "reimbursement_ratio": {
                "home_care": _p("ratio", "fund's share of home-care cost"),
                "institutional_care": _p("ratio", "fund's share of institutional-care cost"),
            },
        },
    },
    "verdict": {
        "critical_months": _p("months", "below this many months of expenditure the reserve is 结余短缺 (critical)", 0, 60, dated=False, default=3.0),
        "low_months": _p("months", "below this the reserve is 结余不足 (low); 人社部发〔2009〕67号 6 months", 0, 60, dated=False, default=6.0),
        "high_months": _p("months", "above this the reserve is 结余偏多 (high); 人社部发〔2009〕67号 9 months", 0, 60, dated=False, default=9.0),
        "excess_months": _p("months", "above this the reserve is 结余过多 (excessive); 人社部发〔2009〕67号 15 months", 0, 120, dated=False, default=15.0),
        "warning_deficit_years": _p("year", "风险预警 orange: a current deficit this many years running (assumption: two budget years)", 1, 10, dated=False, default=2),
        "warning_trend_years": _p("year", "风险预警 yellow: the current surplus rate falling this many years running ... (assumption)", 1, 10, dated=False, default=3),
        "warning_surplus_rate": _p("ratio", "... and below this share of the year's income (assumption: 3%; the resident fund's ran 1.1-10.4% in 2020-2024)", 0.0, 0.5, dated=False, default=0.03),
    },
}


def _declared_items(schema: dict) -> dict:
    """The schema with the parameters of the registry's items (``Item.params``, relative to
    ``policy.<pool>``) placed under each pool that books the item."""
    for item in ITEM_ENTRIES:
        for pool in item.pools:
            for path, spec in item.params.items():
                *parents, leaf = path.split(".")
                node = schema["policy"].setdefault(pool, {})
                for key in parents:
                    node = node.setdefault(key, {})
                node[leaf] = _p(**spec)
    return schema


_declared_items(SCHEMA)


def iter_params(tree: dict = SCHEMA, prefix: str = ""):
    """(path, Param) for every leaf of the schema."""
    for key, node in tree.items():
        path = f"{prefix}{key}"
        if isinstance(node, Param):
            yield path, node
        else:
            yield from iter_params(node, path + ".")


