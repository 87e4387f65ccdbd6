"""The valuation report's 风险预警 table (section 5) and its 以收定支 subsection (section 8, with
``forecast report --solve``), read from the DOM headless Chromium builds: the warning levels are the
run's, and the financing the report prints is the break-even solver's for the same inputs."""

from __future__ import annotations

import html
import re

import pytest

from forecast.apps.solution import Target
from forecast.apps.solve import solve
from forecast.cli import main
from forecast.errors import InputError

from .test_report import _render

pytestmark = pytest.mark.slow

SUBSECTION = "以收定支：保持收支平衡所需的筹资调整 What keeps each pool in balance"


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    """The baseline's report with --solve, as Chromium renders it."""
    root = tmp_path_factory.mktemp("solved")
    assert main(["report", "baseline", "--solve", "-q", "--out", str(root)]) == 0
    dom, console = _render(root / "report.html")
    assert console == []
    return dom


@pytest.fixture(scope="module")
def baseline():
    import forecast

    return forecast.load_scenario("baseline"), forecast.run("baseline")


def _pool_block(dom: str, pool: str) -> str:
    match = re.search(rf'<div class="solved" data-pool="{pool}">(.*?)</div>', dom, re.S)
    assert match, f"no solved block for {pool}"
    return match.group(1)


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_the_warning_levels_in_section_5_are_the_runs(solved, baseline):
    _, ds = baseline
    labels = ds.fund.warning_label()
    section = solved[solved.index('<section id="results">') : solved.index('<section id="conclusion">')]
    table = re.search(r'<table class="warnings">(.*?)</table>', section, re.S).group(1)
    assert re.findall(r"<th>(\d{4})</th>", table) == ["2024", "2030", "2040", "2050"]
    rows = dict(re.findall(r'<tr data-pool="(\w+)">(.*?)</tr>', table, re.S))
    assert sorted(rows) == ["employee", "ltci", "resident"]  # the pay-as-you-go pools have no reserve to warn about
    for pool, row in rows.items():
        shown = re.findall(r'<td data-level="(\w+)">', row)
        assert shown == [str(labels.sel(pool=pool, year=y).item()) for y in (2024, 2030, 2040, 2050)]
    assert (
        rows["resident"].count('data-level="red"') == 2 and "红色 red" in rows["resident"]
    )  # the resident reserve runs out in the 2030s
    rules = _text(re.search(r'<ul class="warning-rules">(.*?)</ul>', section, re.S).group(1))
    assert "红色 red: 累计结余耗尽，或可支付月数低于 3 个月" in rules and "蓝色 blue: 可支付月数超过 15 个月" in rules


def test_with_solve_the_subsection_prints_the_solvers_path_for_the_same_inputs(solved, baseline):
    scenario, ds = baseline
    conclusion = solved[solved.index('<section id="conclusion">') :]
    assert SUBSECTION in _text(conclusion) and "Not requested" not in conclusion
    solution = solve(scenario, "resident", "financing", Target("months", 6.0, 9.0), path=True)
    block = _pool_block(conclusion, "resident")
    outside = [
        int(y)
        for y in ds["year"].values[1:]
        if not 6.0 <= float(ds["months_covered"].sel(pool="resident", year=y)) <= 9.0
    ]
    spans = []  # the years outside the band, as runs of consecutive years
    for year in outside:
        if spans and spans[-1][1] == year - 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    assert spans and "Years outside the band: " + ", ".join(f"{a}–{b}" if b > a else f"{a}" for a, b in spans) in _text(
        block
    )
    for year in (2025, 2030, 2040, 2050):
        row = re.search(rf'<table data-mode="path">.*?<tr data-year="{year}">(.*?)</tr>', block, re.S).group(1)
        individual, subsidy = (
            solution.values[f"policy.resident.{p}"][year] for p in ("individual_contribution", "fiscal_subsidy")
        )
        cells = re.findall(r'<td class="n">(.*?)</td>', row)
        assert cells[1] == f"{individual:,.1f} + {subsidy:,.1f} = {individual + subsidy:,.1f}"
        months = float(solution.check["months_covered"].sel(pool="resident", year=year))
        assert cells[2] == f"{months:,.1f}" and 6.0 - 0.05 <= float(cells[2]) <= 9.0 + 0.05


@pytest.mark.parametrize(
    "pool,lever,path", [("employee", "rate", True), ("ltci", "financing", True), ("ltci", "financing", False)]
)
def test_with_solve_an_unreachable_target_is_said_plainly_with_the_solvers_reason(solved, baseline, pool, lever, path):
    scenario, _ = baseline
    with pytest.raises(InputError) as caught:
        solve(scenario, pool, lever, Target("months", 6.0, 9.0), path=path)
    reason = caught.value.problems[0].message
    paragraph = _text(
        re.search(rf'<p data-mode="{"path" if path else "level"}">(.*?)</p>', _pool_block(solved, pool), re.S).group(1)
    )
    assert f"不能达到目标 The solver cannot keep months covered in the band: {reason}." in paragraph


def test_without_solve_the_subsection_says_it_was_not_requested(tmp_path):
    assert main(["report", "baseline", "-q", "--out", str(tmp_path)]) == 0
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    conclusion = page[page.index('<section id="conclusion">') :]
    assert SUBSECTION in conclusion
    said = _text(re.search(r'<p class="not-requested">(.*?)</p>', conclusion, re.S).group(1))
    assert said.startswith("未测算（未请求）Not requested:") and "forecast report ... --solve" in said
    assert 'class="solved"' not in page and 'class="warnings"' in page


def test_a_solved_level_is_the_multiplier_of_the_scenarios_path(baseline):
    """The level branch (the report's 6-9 band has no single level for the baseline's pools): with a
    6-60 band the resident level solves; its printed values are the scenario's path times it."""
    from forecast.apps.valuation_solve import _scenario_rules, _solved

    scenario, ds = baseline
    answer = _solved(scenario, "resident", Target("months", 6.0, 60.0), _scenario_rules(scenario), ds, path=False)
    assert answer["ok"] and answer["reason"] == ""
    level = float(answer["multiplier"])
    assert level > 1  # the baseline's resident fund runs out: its standard must rise
    for row in answer["rows"]:
        own = [float(v.replace(",", "")) for v in row["scenario"].split(" = ")[0].split(" + ")]
        new = [float(v.replace(",", "")) for v in row["solved"].split(" = ")[0].split(" + ")]
        assert all(abs(n - o * level) <= 0.05 + 0.05 * level for n, o in zip(new, own))
        assert float(row["months"]) >= 6.0 - 0.05
