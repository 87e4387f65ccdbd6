"""The ``assumptions`` part of the scenario parameter schema
(:data:`forecast.scenario.parameters.SCHEMA`): the economy, medical costs, uncertainty, deficits'
financing and enrollment, each leaf a :class:`~forecast.scenario.param.Param` with its unit, range
and meaning. ``assumptions.demography`` is validated by :mod:`forecast.scenario.demography`."""

from __future__ import annotations

from .param import growth as _growth
from .param import param as _p

__all__ = ["ASSUMPTIONS"]

ASSUMPTIONS: dict = {
    "economy": {
        "wage_growth": _growth(
            "nominal growth of the average wage and so of the contribution base ('fitted': the history's growth of "
            "employee income per in-service member)",
            fitted_from="employee_income_per_in_service",
        ),
        "price_inflation": _growth("consumer-price inflation, the price part of medical cost growth"),
        "disposable_income_growth": _growth(
            "growth of residents' per-capita disposable income (moves the critical-illness threshold)"
        ),
        "disposable_income_per_capita": _p(
            "yuan/person/year",
            "全国居民人均可支配收入 (yuan a year per person)",
            after="disposable_income_growth",
            reference="NBS statistical communiqué",
        ),
        "interest_rate": _p("ratio", "interest credited on reserves (ratio a year)", 0.0, 0.2),
    },
    "medical_costs": {
        "cost_trend": {
            pool: _growth(
                f"real growth of the {pool} pool's cost per insured person at constant age structure (utilisation, "
                "intensity, technology; 'fitted': "
                f"the path forecast by the growth model of the {pool} fund's expenditure per insured person, less "
                "price inflation and the population's ageing)",
                fitted_from=f"{pool}_cost_trend",
            )
            for pool in ("employee", "resident")
        },
        "utilisation_growth": {
            s: _growth(
                f"real growth of {s} cost per person on top of the pool's cost trend (0: as the pool's trend)",
                default=0.0,
            )
            for s in ("inpatient", "outpatient", "outpatient_special", "pharmacy")
        }
        | {
            "long_term_care": _growth(
                "real growth of long-term care use per beneficiary (unit costs grow with wages)", default=0.0
            )
        },
        "assistance_trend": _growth(
            "growth of medical assistance spending beyond what its groups' rules and the resident pool's claims give "
            "(the widening of "
            "assistance: more people in the groups, low-income monitoring; 'fitted': the path forecast by the growth "
            "model of medical "
            "assistance spending over the resident fund's spending)",
            fitted_from="assistance_trend",
            default=0.0,
        ),
        "payment_reform_effect": _growth(
            "effect of DIP/DRG payment and volume-based procurement on cost growth (negative lowers it)"
        ),
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
            driver: _p(
                "ratio",
                f"scale of the {what} in stochastic runs (--draws) "
                "and in the low/high-cost sets (1: as fitted; 0: off)",
                0.0,
                5.0,
                dated=False,
                default=1.0,
            )
            for driver, what in (
                ("population", "population's draws (Lee–Carter k_t and the TFR random walk)"),
                (
                    "cost_trend",
                    "real cost growth's deviations per pool (AR(1) on the log growth, fitted to the bulletins)",
                ),
                ("wage_growth", "contribution-base growth's deviations (AR(1), fitted)"),
                (
                    "coverage",
                    "coverage deviations of in-service members and residents (AR(1) on the counts' growth, fitted)",
                ),
                ("interest_rate", "interest rate's deviations (AR(1) around the scenario's rate)"),
                ("financing_increment", "resident financing increments' deviations (their historical s.d.)"),
            )
        },
        "cost_correlation": _p(
            "ratio",
            "correlation of the employee and resident cost-growth shocks (left out: estimated with the wage shocks' "
            "from the history's one-year "
            "errors, shrunk toward 0; give a number to state it)",
            -1.0,
            1.0,
            dated=False,
            default=float("nan"),
        ),
        "interest_rate_sd": _p(
            "ratio",
            "s.d. of the interest rate's yearly shock (AR(1), persistence 0.8: a stationary s.d. of about 0.4 points "
            "at 0.0025)",
            0.0,
            0.05,
            dated=False,
            default=0.0025,
            reference="assumption; the PBoC one-year deposit benchmark moved between 1.5% and 4.14% in 2002-2015",
        ),
        "deterministic_set": _p(
            "label",
            "intermediate: the scenario as given; low_cost / high_cost: every driver at its favourable / adverse "
            "set_percentile path (the trustees' three lines)",
            dated=False,
            choices=("intermediate", "low_cost", "high_cost"),
            default="intermediate",
        ),
        "set_percentile": _p(
            "ratio",
            "the percentile of each driver's path in the low/high-cost sets (0.9: the 10th and 90th)",
            0.5,
            0.999,
            dated=False,
            default=0.9,
        ),
    },
    "deficits": {
        "financing": _p(
            "label",
            "how a pool's accumulated deficit (a reserve below zero) is financed: debt (carried in the reserve, with "
            "interest at interest_rate booked "
            "as 累计赤字利息支出) or fiscal (public budgets top it up to zero each year: "
            "财政兜底补助, 社会保险法 第六十五条)",
            dated=False,
            choices=("debt", "fiscal"),
            default="debt",
        ),
        "interest_rate": _p(
            "ratio",
            "interest on an accumulated deficit carried as debt (ratio a year; left out: the fund's own interest_rate)",
            0.0,
            0.2,
            dated=False,
            default=float("nan"),
        ),
    },
    "indexation": {
        "benefit_limits": _p(
            "label",
            "how benefit limits in yuan continue after their last given value: indexed (each by its rule: employees' "
            "with the average wage, residents' "
            "with per-capita disposable income, one year behind; LTCI unit costs with the wage) or frozen (held at "
            "their last yuan value: the "
            "convention before issue 23, under which caps bind less and deductibles vanish in real terms)",
            dated=False,
            choices=("indexed", "frozen"),
            default="indexed",
        ),
    },
    "enrollment": {
        "in_service_coverage": _p(
            "ratio",
            "in-service coverage of the working-age population relative to the base year (1.0 = as in the base year; "
            "'fitted': the history's "
            "trend relative to the population aged 20-59, fading by trend_damping a year to its long-run level; at "
            "least 0.1: a pool that loses "
            "nearly all its members is a pool closed, which the model does not represent)",
            0.1,
            3.0,
            fitted_from="in_service_coverage",
        ),
        "resident_coverage": _p(
            "ratio",
            "coverage of the rest of the population by the resident pool relative to the base year ('fitted': the "
            "history's trend, fading by "
            "trend_damping a year to its long-run level; at least 0.1)",
            0.1,
            1.5,
            fitted_from="resident_coverage",
        ),
        "trend_damping": _p(
            "ratio",
            "share of a fitted coverage trend that carries into the next year (0: the trend stops at once; 0.8: it "
            "halves in about 3 years "
            "and the coverage settles at the level of 4 years of the first year's trend)",
            0.0,
            0.99,
            dated=False,
            default=0.8,
        ),
        "compliance_rate": _p(
            "ratio", "contribution compliance relative to the base year's collected base (1.0 = as collected)", 0.0, 1.5
        ),
        "flexible_worker_share": _p(
            "ratio",
            "share of working-age resident enrollees who join the employee pool as flexible workers",
            default=0.0,
            dated=True,
        ),
    },
}
