"""Bad scenario files: each ends in exactly this message and exit code 2, never a traceback.

The messages are golden text: file (``{file}``), line, field path, the value found, and the fix.
``{baseline}`` stands for scenarios/baseline.yaml.
"""

from __future__ import annotations

import pytest

from forecast.cli import main

from .conftest import ROOT

BASELINE = ROOT / "scenarios" / "baseline.yaml"

CASES = {
    "after": (
        "extends: {baseline}\ntitle: t\npolicy:\n  resident:\n    fiscal_subsidy: {values: {2024: 670}, after: wage}\n",
        "{file}, line 5, field 'policy.resident.fiscal_subsidy.after': unknown continuation rule (found 'wage'). Fix: "
        "use one of hold, mean_increment, wage_growth, price_inflation, disposable_income_growth.",
    ),
    "bad_region": (
        "extends: {baseline}\ntitle: t\nregion: ../no/such/bundle\n",
        "{file}, line 3, field 'region': no region bundle (region.yaml) in that folder (found '../no/such/bundle'). "
        "Fix: give the bundle folder relative to the scenario file, e.g. ../data/china.",
    ),
    "between": (
        "extends: {baseline}\ntitle: t\npolicy:\n  resident:\n"
        "    fiscal_subsidy: {values: {2024: 670, 2030: 900}, between: cubic}\n",
        "{file}, line 5, field 'policy.resident.fiscal_subsidy.between': unknown interpolation (found 'cubic'). Fix: "
        "use one of step, linear.",
    ),
    "boolnum": (
        "extends: {baseline}\ntitle: t\npolicy:\n  employee:\n    benefits:\n      outpatient_special:\n"
        "        cap_shared_with_inpatient: 2\n",
        "{file}, line 7, field 'policy.employee.benefits.outpatient_special.cap_shared_with_inpatient': not an allowed "
        "value (found 2). Fix: expected true or false.",
    ),
    "capbelow": (
        "extends: {baseline}\ntitle: t\npolicy:\n  resident:\n    benefits:\n      outpatient_special:\n"
        "        deductible: 2000\n",
        "{file}, line 7, field 'policy.resident.benefits.outpatient_special.deductible': the annual cap (1500 yuan, "
        "policy.resident.benefits.outpatient_special.annual_cap) is not above the deductible (2000 yuan, "
        "policy.resident.benefits.outpatient_special.deductible). Fix: raise the cap or lower the deductible; a cap "
        "must exceed the deductible.",
    ),
    "caremix": (
        "extends: {baseline}\ntitle: t\npolicy:\n  ltci:\n    care_mix: {home_care: 0.7, institutional_care: 0.7}\n",
        "{file}, line 5, field 'policy.ltci.care_mix': home_care + institutional_care must be 1 (found 1.4). Fix: make "
        "the two shares add up to 1.",
    ),
    "cycle_a": (
        "extends: cycle_b.yaml\ntitle: a\n",
        "{file}: 'extends' makes a cycle. Fix: remove the circular 'extends'.",
    ),
    "dup": (
        "extends: {baseline}\ntitle: t\npolicy:\n  employee:\n    employer_rate: 0.06\n    employer_rate: 0.07\n",
        "{file}, line 6, field 'employer_rate': duplicate key 'employer_rate' (first given on line 5). Fix: keep one "
        "of the two entries.",
    ),
    "empty": (
        "",
        "{file}, line 1: a scenario file must be a mapping of keys to values. Fix: see scenarios/baseline.yaml.",
    ),
    "female71": (
        "extends: {baseline}\ntitle: t\npolicy:\n  employee:\n    retirement_age:\n"
        "      female_cadre: {from: 55, to: 71, months_per_step: 4}\n",
        "{file}, line 6, field 'policy.employee.retirement_age.female_cadre.to': not an allowed value (found 71). Fix: "
        "expected a number in [40, 70] (year).",
    ),
    "groups": (
        "extends: {baseline}\ntitle: t\npolicy:\n  medical_assistance:\n    groups:\n"
        "      at_risk: {population_share: 0.99, assistance_ratio: 0.7, contribution_subsidy: 0}\n",
        "{file}, line 5, field 'policy.medical_assistance.groups': the groups' population shares add up to 1.03682, "
        "more than 1. Fix: the groups are disjoint shares of the population: make them add up to at most 1.",
    ),
    "horizon": (
        "extends: {baseline}\ntitle: t\nhorizon: twenty-sixty\n",
        "{file}, line 3, field 'horizon': must be a whole year (found 'twenty-sixty'). Fix: write e.g. 'horizon: "
        "2060'.",
    ),
    "lower": (
        "extends: {baseline}\ntitle: t\npolicy:\n  employee:\n    retirement_age:\n"
        "      male: {from: 60, to: 58, months_per_step: 4}\n",
        "{file}, line 6, field 'policy.employee.retirement_age.male.to': the reform lowers the retirement age (60 -> "
        "58). Fix: give 'to' at least 'from' (write to = from for no reform).",
    ),
    "missingbase": (
        "extends: no_such_baseline.yaml\ntitle: t\n",
        "{folder}/no_such_baseline.yaml: scenario file not found. Fix: check the path (scenarios/baseline.yaml, ...).",
    ),
    "money": (
        "extends: {baseline}\ntitle: t\npolicy:\n  resident:\n    benefits:\n      inpatient:\n"
        "        annual_cap: 20亿\n",
        "{file}, line 7, field 'policy.resident.benefits.inpatient.annual_cap': not an allowed value (found '20亿'). "
        "Fix: 亿 is not accepted for this parameter: expected a number in [0, 1e+09] (yuan) (write money as 2000, "
        '"2000元" or "20万").',
    ),
    "negded": (
        "extends: {baseline}\ntitle: t\npolicy:\n  resident:\n    benefits:\n      outpatient:\n"
        "        deductible: -100\n",
        "{file}, line 7, field 'policy.resident.benefits.outpatient.deductible': not an allowed value (found -100). "
        "Fix: expected a number in [0, 1e+09] (yuan).",
    ),
    "notmapping": (
        "- just\n- a list\n",
        "{file}, line 1: a scenario file must be a mapping of keys to values. Fix: see scenarios/baseline.yaml.",
    ),
    "notyaml": (
        "extends: {baseline}\ntitle: t\npolicy: [unclosed\n",
        "{file}, line 4: YAML syntax error: expected ',' or ']', but got '<stream end>'. Fix: check indentation "
        "(spaces, not tabs), colons after keys and closing quotes.",
    ),
    "notyear": (
        "extends: {baseline}\ntitle: t\nassumptions:\n  economy:\n    wage_growth: {2025: 0.05, 2030s: 0.03}\n",
        "{file}, line 5, field 'assumptions.economy.wage_growth.2030s': dated values are keyed by year (found "
        "'2030s'). Fix: write e.g. '{2024: 670, 2030: 850}' or use the long form (values, between, after).",
    ),
    "ratio65": (
        "extends: {baseline}\ntitle: t\npolicy:\n  resident:\n    benefits:\n      inpatient:\n"
        "        tier3: {deductible: 800, reimbursement_ratio: 65}\n",
        "{file}, line 7, field 'policy.resident.benefits.inpatient.tier3.reimbursement_ratio': not an allowed value "
        '(found 65). Fix: ratios are fractions: write 0.65 (or "65%"), not 65.',
    ),
    "shares": (
        "extends: {baseline}\ntitle: t\npolicy:\n  ltci:\n"
        "    financing_shares: {employee_pooled_fund: 0.5, individual: 0.3, fiscal: 0.1}\n",
        "{file}, line 5, field 'policy.ltci.financing_shares': the financing shares add up to 0.9, not 1. Fix: make "
        "employee_pooled_fund + individual + fiscal = 1.",
    ),
    "sources": (
        "extends: {baseline}\ntitle: t\nsources: 42\n",
        "{file}, line 3, field 'sources': must be a list of documents (found 42). Fix: write e.g. 'sources: "
        "[温政办〔2022〕98号]'.",
    ),
    "tag": (
        "extends: {baseline}\ntitle: !!python/object:os.system t\n",
        "{file}, line 2: YAML tags such as '!!python/object:os.system' are not allowed: these files are data and "
        "nothing in them is executed. Fix: remove the tag and write a plain value.",
    ),
    "typo": (
        "extends: {baseline}\ntitle: t\npolicy:\n  employe:\n    employer_rate: 0.07\n",
        "{file}, line 4, field 'policy.employe': unknown key 'employe'. Fix: did you mean 'employee'?",
    ),
    "wrongtype": (
        "extends: {baseline}\ntitle: t\npolicy:\n  employee:\n    employer_rate: six percent\n",
        "{file}, line 5, field 'policy.employee.employer_rate': not an allowed value (found 'six percent'). Fix: "
        'expected a number in [0, 0.3] (ratio) (write a ratio as 0.65 or "65%").',
    ),
    "yearbeyond": (
        "extends: {baseline}\ntitle: t\nassumptions:\n  economy:\n    wage_growth: {2025: 0.05, 2070: 0.03}\n",
        "{file}, line 5, field 'assumptions.economy.wage_growth.2070': year outside 2000..2060 (the horizon) (found "
        "2070). Fix: give years up to the horizon 2060, or raise 'horizon'.",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_scenario_file(tmp_path, capsys, name):
    text, message = CASES[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text.replace("{baseline}", str(BASELINE)), encoding="utf-8")
    if name == "cycle_a":
        (tmp_path / "cycle_b.yaml").write_text("extends: cycle_a.yaml\ntitle: b\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    expected = (
        message.replace("{file}", str(path)).replace("{folder}", str(tmp_path)).replace("{baseline}", str(BASELINE))
    )
    assert err == f"INVALID {path}\n\n{expected}\n\n"


def test_a_huge_file_is_refused_before_parsing(tmp_path, capsys):
    path = tmp_path / "huge.yaml"
    path.write_text("title: huge\n" + "# padding\n" * 300_000, encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: the file is 3.0 MB; a scenario file is at most 1 MB." in err and "Traceback" not in err


def test_a_binary_file_is_refused(tmp_path, capsys):
    path = tmp_path / "photo.yaml"
    path.write_bytes(bytes(range(256)) * 4)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "not valid UTF-8 text" in err and "Traceback" not in err


def test_every_shipped_scenario_validates(capsys):
    files = sorted((ROOT / "scenarios").glob("*.yaml"))
    assert len(files) >= 13
    assert main(["validate", *map(str, files)]) == 0
    assert capsys.readouterr().out.count("OK ") == len(files)


def test_every_shipped_scenario_has_a_purpose_line():
    readme = (ROOT / "scenarios" / "README.md").read_text(encoding="utf-8")
    for path in (ROOT / "scenarios").glob("*.yaml"):
        assert f"| `{path.name}` |" in readme, path.name
