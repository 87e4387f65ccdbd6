"""Employee individual accounts after the 2021 reform and 门诊共济 (issue 23).

国办发〔2021〕14号: in-service members' accounts receive their own 2% of the base; retirees' a fixed
amount, phased down to about 2% of the reform year's average pension over a transition of about
three years; the pooled fund pays general outpatient care (门诊共济) by its own rules (retirees' own
where a place tilts them, e.g. places/shaoxing.yaml). The national bulletins publish the accounts' income for 2023 and
2024 only (2022's bulletin gives their reserve), so the account share of employee income is checked for those: 2023
and 2024 as calibrated, and 2024 forecast from a bundle cut at 2023, within one point.
"""

from __future__ import annotations

import numpy as np
import pytest

import forecast
from forecast.apps.backtest import backtest_params
from forecast.engine import project

from ..conftest import CHINA

pytestmark = pytest.mark.slow

#: NHSA bulletins: individual-account income / (pooled-fund income + individual-account income)
PUBLISHED_SHARE = {2023: 6351.35 / (16580.3 + 6351.35), 2024: 6390.01 / (17342.45 + 6390.01)}


def account_share(ds, year: int) -> float:
    accounts = float(ds["individual_account_income"].sel(year=year))
    return accounts / (accounts + float(ds["income"].sel(pool="employee", year=year)))


@pytest.fixture(scope="module")
def from_2023():
    region, scenario = forecast.load_region(CHINA), forecast.load_scenario("baseline")
    params, root = (backtest_params(dict(p), region, 2023) for p in (scenario.params, scenario.root_params))
    return project(scenario, region.until(2023), params, root, 2030)


def test_the_account_share_is_reproduced_and_forecast_within_a_point(from_2023):
    ds = forecast.run("baseline")
    assert account_share(ds, 2024) == pytest.approx(PUBLISHED_SHARE[2024], abs=1e-4)
    assert account_share(from_2023, 2023) == pytest.approx(PUBLISHED_SHARE[2023], abs=1e-4)
    assert abs(account_share(from_2023, 2024) - PUBLISHED_SHARE[2024]) < 0.01
    assert account_share(from_2023, 2024) < account_share(from_2023, 2023)  # the phase-in lowers it


def test_retirees_credits_fall_to_the_reformed_level_as_the_phase_in_ends(from_2023):
    """From 2023 (two thirds through the transition) retirees' credits fall by 1 − 1/(2/3 + 1.9/3)
    = 23% to the reformed level in 2024, then hold in yuan (not adjusted, 14号)."""
    from forecast.engine import resolved_rules
    from forecast.model.financing.contributions import retiree_account_credit

    scenario = forecast.load_scenario("baseline")
    region = forecast.load_region(CHINA).until(2023)
    params, root = (
        backtest_params(dict(p), forecast.load_region(CHINA), 2023) for p in (scenario.params, scenario.root_params)
    )
    rules = resolved_rules(scenario, region, params, root, 2030)
    credit = retiree_account_credit(rules, 1.0).values
    assert credit[0] == pytest.approx(2 / 3 + 1.9 / 3) and np.all(credit[1:] == 1.0)


def test_accounts_spend_a_constant_share_of_what_they_hold_and_never_run_dry():
    ds = forecast.run("baseline")
    income, spent, reserve = (ds[f"individual_account_{k}"].values for k in ("income", "expenditure", "reserve"))
    assert np.all(reserve > 0) and np.all(spent > 0)
    held = np.concatenate([[13961.57e8], reserve[:-1]])  # 2023's reserve (bulletin), then the run's
    assert np.allclose(reserve, held + income - spent, rtol=1e-12)
    rate = 0.015  # the baseline's interest rate, on the year's average balance: i = r·(held + (credits − spent)/2)
    interest = rate * (held + (income - spent) / 2) / (1 + rate / 2)
    usage = ds.attrs["calibration"]["account_usage"]
    assert np.allclose(spent, usage * (held + income - interest), rtol=1e-9)


def test_the_pooled_fund_s_outpatient_care_is_kept_apart_as_mutual_aid():
    ds = forecast.run("baseline")
    outpatient = ds["expenditure_items"].sel(pool="employee", expenditure_item="outpatient")
    np.testing.assert_allclose(ds["outpatient_mutual_aid"].values, outpatient.values, rtol=1e-12)
    assert float(ds["retired_outpatient_expenditure"].sel(year=2024)) < float(outpatient.sel(year=2024))
