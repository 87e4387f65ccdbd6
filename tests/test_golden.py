"""The package's engine reproduces the frozen results (tests/golden/), and so does the slow
reference engine it replaced (tests/reference/), to 1e-9 relative (issue 11)."""

from __future__ import annotations

import pytest

import forecast

from .golden.runs import RUNS, compare, read, reference_run, to_frame


@pytest.mark.parametrize("name", list(RUNS))
def test_the_engine_reproduces_the_golden_file(name):
    spec, draws, seed = RUNS[name]
    problems = compare(to_frame(forecast.run(spec, draws=draws, seed=seed, keep=("population",))), read(name))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", list(RUNS))
def test_the_reference_engine_still_reproduces_the_golden_file(name):
    problems = compare(to_frame(reference_run(name)), read(name))
    assert not problems, "\n".join(problems)


def test_the_comparison_sees_a_relative_change_of_1e_8_and_a_changed_label():
    golden = read("baseline")
    frame = golden.copy()
    row = frame.index[(frame["variable"] == "reserve")][10]
    frame.loc[row, "value"] = repr(float(frame.loc[row, "value"]) * (1 + 1e-8))
    assert len(compare(frame, golden)) == 1
    frame = golden.copy()
    row = frame.index[frame["variable"] == "verdict"][0]
    frame.loc[row, "value"] = "balanced" if frame.loc[row, "value"] != "balanced" else "high"
    assert len(compare(frame, golden)) == 1
