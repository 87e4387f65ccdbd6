"""Scenario files: extends, overlays, and located errors (exit 2 from the CLI, no traceback)."""

from __future__ import annotations

import math

import pytest

from forecast.cli import main
from forecast.errors import InputError
from forecast.scenario.load import load_scenario

from .conftest import ROOT

SCENARIOS = ROOT / "scenarios"


def test_every_shipped_scenario_loads():
    for path in sorted(SCENARIOS.glob("*.yaml")):
        scenario = load_scenario(path)
        assert scenario.title and (scenario.region_path / "region.yaml").is_file()


def test_extends_and_overlays_combine():
    lc = load_scenario(SCENARIOS / "lee_carter.yaml")
    assert lc.population.mortality_method == "lee_carter" and lc.population.fit_years == (1990, 2019)
    both = load_scenario(f"{SCENARIOS / 'lee_carter.yaml'}+{SCENARIOS / 'low_fertility.yaml'}")
    assert both.population.mortality_method == "lee_carter"
    assert both.population.tfr == {2024: 1.0, 2035: 0.9}
    assert [p.name for p in both.files] == ["baseline.yaml", "lee_carter.yaml", "low_fertility.yaml"]


def write(tmp_path, text):
    path = tmp_path / "s.yaml"
    path.write_text(f"extends: {SCENARIOS / 'baseline.yaml'}\ntitle: test\n" + text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        (
            "assumptions:\n  demography:\n    mortality:\n      method: lee_carte\n",
            ["line 6", "assumptions.demography.mortality.method", "did you mean 'lee_carter'"],
        ),
        (
            "assumptions:\n  demography:\n    fertilty:\n      tfr: bundle\n",
            ["line 5", "unknown key 'fertilty'", "did you mean 'fertility'"],
        ),
        (
            "assumptions:\n  demography:\n    fertility:\n      tfr: {2030: 13}\n",
            ["assumptions.demography.fertility.tfr.2030", "[0.3, 8.0]"],
        ),
        (
            "assumptions:\n  demography:\n    sex_ratio_at_birth: 106\n",
            ["assumptions.demography.sex_ratio_at_birth", "[0.9, 1.3]"],
        ),
        (
            "assumptions:\n  demography:\n    mortality:\n      method: improvement\n      improvement_rate: 2\n",
            ["improvement_rate", "write 0.02"],
        ),
        (
            "assumptions:\n  demography:\n    mortality:\n      method: e0_target\n",
            ["e0_target method needs dated targets"],
        ),
        (
            "assumptions:\n  demography:\n    mortality:\n      method: improvement\n"
            "      improvement_rate: {male: {0-59: 0.02, 65+: 0.01}, female: 0.01}\n",
            ["improvement_rate.male", "cover ages 0"],
        ),
        ("horizon: 1999\n", ["horizon", "[2021, 2300]"]),
        (
            "assumptions:\n  demography:\n    mortality:\n      method: schedule\n      method: lee_carter\n",
            ["duplicate key 'method'"],
        ),
    ],
)
def test_bad_scenarios_name_the_place_and_the_fix(tmp_path, capsys, text, fragments):
    path = write(tmp_path, text)
    with pytest.raises(InputError):
        load_scenario(path)
    assert main(["validate", str(path)]) == 2
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    for fragment in fragments:
        assert fragment in out.err, (fragment, out.err)
    assert str(path) in out.err


def test_missing_scenario_file(tmp_path, capsys):
    assert main(["population", str(tmp_path / "nope.yaml")]) == 2
    assert "scenario file not found" in capsys.readouterr().err


def test_population_command_prints_the_headline_and_writes_atomically(tmp_path, capsys):
    out = tmp_path / "result"
    assert main(["population", str(SCENARIOS / "baseline.yaml"), "--until", "2030", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Population projection" in text and "2030" in text and "65+ share" in text
    assert (out / "population_indicators.csv").read_text().startswith("year,population_total")
    import xarray as xr

    with xr.open_dataset(out / "population.nc", engine="scipy") as saved:
        assert saved["population"].attrs["units"] == "persons"
        assert saved.attrs["forecast_version"] and len(saved.attrs["scenario_hash"]) == 64
        assert int(saved["year"].values[-1]) == 2030
    assert [p.name for p in tmp_path.iterdir()] == ["result"]  # no staging folders left


def test_stochastic_population_command(capsys):
    assert (
        main(["population", str(SCENARIOS / "lee_carter.yaml"), "--until", "2030", "--draws", "50", "--seed", "3"]) == 0
    )
    out = capsys.readouterr().out
    assert "50 draws" in out and "drift" in out and "s.e." in out and "TFR random walk" in out


def test_any_mortality_method_has_draws_around_its_own_path(capsys):
    """The baseline's schedule mortality draws with a Lee–Carter model fitted to the bundle (issue 13)."""
    assert main(["population", str(SCENARIOS / "baseline.yaml"), "--until", "2030", "--draws", "5", "--seed", "2"]) == 0
    assert "5 draws" in capsys.readouterr().out


def test_improvement_rates_by_sex_and_age_band(tmp_path):
    path = write(
        tmp_path,
        "assumptions:\n  demography:\n    mortality:\n      method: improvement\n"
        "      improvement_rate: {male: {0-64: 0.02, 65+: 0.01}, female: 0.015}\n",
    )
    rates = load_scenario(path).population.improvement_rate
    assert rates == {"male": ((0, 64, 0.02), (65, None, 0.01)), "female": ((0, None, 0.015),)}


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--until", "2010"], "the last year must come after the base population's year 2020"),
        (["--draws", "0"], "at least 1"),
    ],
)
def test_bad_population_options(capsys, extra, fragment):
    assert main(["population", str(SCENARIOS / "baseline.yaml"), *extra]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err


def test_unwritable_output_folder(tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    assert main(["population", str(SCENARIOS / "baseline.yaml"), "--until", "2022", "--out", str(blocker / "out")]) == 2
    err = capsys.readouterr().err
    assert "--out" in err and "cannot write the results" in err
    assert blocker.read_text() == "x"


def test_loading_an_overlay_never_changes_the_baseline():
    import copy

    base = load_scenario(SCENARIOS / "baseline.yaml")
    before = copy.deepcopy(dict(base.params))
    alt = load_scenario(f"{SCENARIOS / 'baseline.yaml'}+{SCENARIOS / 'raise_special_disease_caps.yaml'}")
    assert dict(base.params) == before
    assert alt["policy.resident.benefits.outpatient_special.annual_cap"].points == ((2024, 1500.0), (2025, 200000.0))
    assert base["policy.resident.benefits.outpatient_special.annual_cap"].points == ((0, 1500.0),)
    with pytest.raises(TypeError):
        base.params["horizon"] = 2100  # read-only


def test_overlays_compose_left_to_right(tmp_path):
    one = tmp_path / "one.yaml"
    two = tmp_path / "two.yaml"
    one.write_text(
        f"extends: {SCENARIOS / 'baseline.yaml'}\ntitle: one\npolicy:\n  employee:\n    employer_rate: 0.07\n"
        "    employee_rate: 0.03\n",
        encoding="utf-8",
    )
    two.write_text(
        f"extends: {SCENARIOS / 'baseline.yaml'}\ntitle: two\npolicy:\n  employee:\n    employer_rate: 0.08\n",
        encoding="utf-8",
    )
    both = load_scenario(f"{one}+{two}")
    assert both["policy.employee.employer_rate"].points[0][1] == 0.08
    assert both["policy.employee.employee_rate"].points[0][1] == 0.03
    assert both.title == "two"
    assert both.origins["policy.employee.employer_rate"] == (two.resolve(), 5)


def test_units_accept_percent_and_wan(tmp_path):
    path = write(
        tmp_path,
        'policy:\n  resident:\n    benefits:\n      inpatient:\n        annual_cap: "28万"\n'
        '        tier1: {deductible: "100元", reimbursement_ratio: "90%"}\n',
    )
    s = load_scenario(path)
    assert s["policy.resident.benefits.inpatient.annual_cap"].points[0][1] == 280000.0
    assert s["policy.resident.benefits.inpatient.tier1.reimbursement_ratio"].points[0][1] == pytest.approx(0.9)
    assert s["policy.resident.benefits.inpatient.tier1.deductible"].points[0][1] == 100.0


def test_dated_values_step_linear_and_growth():
    import numpy as np

    from forecast.scenario.dated import DatedValue

    years = np.arange(2024, 2031)
    step = DatedValue(((2024, 1500.0), (2026, 200000.0)))
    values, beyond = step.path(years)
    assert values.tolist() == [1500, 1500, 200000, 200000, 200000, 200000, 200000] and beyond == [
        2027,
        2028,
        2029,
        2030,
    ]
    linear = DatedValue(((2024, 0.0), (2028, 4.0)), between="linear")
    assert linear.path(years)[0].tolist() == [0, 1, 2, 3, 4, 4, 4]
    grow = DatedValue(((2024, 100.0),), after="wage_growth")
    values, beyond = grow.path(years, np.full(len(years), 0.10))
    assert np.allclose(values, 100 * 1.1 ** np.arange(7)) and beyond == [2025, 2026, 2027, 2028, 2029, 2030]
    assert DatedValue.constant(5.0).path(years) == (pytest.approx(np.full(7, 5.0)), [])


@pytest.mark.slow
def test_a_run_records_extended_values_and_strict_refuses(capsys):
    import forecast

    ds = forecast.run(SCENARIOS / "baseline.yaml")
    extended = ds.attrs["extended_values"]
    assert "policy.resident.fiscal_subsidy" in extended and extended["policy.resident.fiscal_subsidy"].startswith(
        "mean_increment from 2025 to 2060 (last given 2024: 670)"
    )
    assert main(["run", str(SCENARIOS / "baseline.yaml"), "--strict"]) == 2
    err = capsys.readouterr().err
    assert (
        "--strict: policy.resident.fiscal_subsidy is extended beyond its last given year" in err
        and "Traceback" not in err
    )


def test_show_scenario_names_the_file_and_line_of_each_value(capsys):
    assert main(["show-scenario", f"{SCENARIOS / 'baseline.yaml'}+{SCENARIOS / 'critical_illness_upgrade.yaml'}"]) == 0
    out = capsys.readouterr().out
    assert (
        "policy.critical_illness.annual_cap = {2024: 300000, 2025: 400000} between=step after=disposable_income_growth "
        "lag=1 yuan  (critical_illness_upgrade.yaml:" in out
    )
    assert "policy.employee.employer_rate = 0.06 ratio  (baseline.yaml:" in out
    assert "policy.employee.flexible_base_ratio = 0.6 ratio  (default)" in out


def test_fitted_is_refused_where_no_fit_exists(tmp_path, capsys):
    path = write(tmp_path, "policy:\n  employee:\n    employer_rate: fitted\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "field 'policy.employee.employer_rate'" in err and "'fitted' is not available for this parameter" in err


def test_show_scenario_shows_fitted_values_before_the_run(capsys):
    assert main(["show-scenario", str(SCENARIOS / "baseline.yaml")]) == 0
    out = capsys.readouterr().out
    assert (
        "assumptions.economy.wage_growth = {2027: fitted, 2035: 0.04, 2050: 0.03} between=linear after=hold ratio"
        in out
    )
    assert (
        "assumptions.medical_costs.cost_trend.resident = {2027: fitted, 2050: 0.01} between=linear after=hold ratio"
        in out
    )
    assert "assumptions.enrollment.in_service_coverage = fitted ratio" in out


def test_numbers_in_exponent_notation_are_numbers(tmp_path):
    """PyYAML's YAML 1.1 reads 1e-3 (no dot) as text; scenario files read it as the number it is."""
    path = write(tmp_path, "assumptions:\n  economy:\n    interest_rate: 15e-3\n")
    assert load_scenario(path)["assumptions.economy.interest_rate"].points[0][1] == pytest.approx(0.015)


def test_a_missing_cap_is_an_error_never_a_zero_cap():
    """Issue 22: a cap left out of the parameters was filled with 0 when the rules resolved (a 0-yuan
    cap that silently pays nothing); now the resolution names what is missing."""
    import numpy as np
    import pytest

    import forecast
    from forecast.scenario.rules import MissingRule, resolve_rules

    from .conftest import without_fits

    params = without_fits(dict(forecast.load_scenario("baseline").params))
    years = np.arange(2024, 2031)
    cap = params.pop("policy.resident.benefits.outpatient_special.annual_cap")
    with pytest.raises(MissingRule, match="policy.resident.benefits.outpatient_special.annual_cap"):
        resolve_rules(params, years)
    params["policy.resident.benefits.outpatient_special.annual_cap"] = cap
    rules = resolve_rules(params, years)
    assert float(rules.ds["benefit_annual_cap"].sel(pool="resident", benefit="outpatient_special").min()) == 1500.0


def test_defaults_are_filled_in_one_place():
    import forecast
    from forecast.scenario.parameters import iter_params
    from forecast.scenario.rules import with_defaults

    params = dict(forecast.load_scenario("baseline").params)
    for path, param in iter_params():
        if param.default is not None and not param.default_from:
            params.pop(path, None)
    filled = with_defaults(params)
    assert filled["policy.resident.financing_rule.rule"] == "none"
    assert filled["verdict.high_months"] == 9.0
    assert math.isnan(filled["assumptions.uncertainty.cost_correlation"])  # left out: estimated from the history
    assert filled["assumptions.uncertainty.interest_rate_sd"] == 0.0025
