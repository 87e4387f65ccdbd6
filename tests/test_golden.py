"""The package's engine reproduces the frozen results (tests/golden/) to 1e-9 relative: a change of
any number is a deliberate change of the model, recorded in tests/golden/README.md."""

from __future__ import annotations

import pytest

from .golden.runs import RUNS, compare, engine_run, read, to_frame


@pytest.mark.parametrize("name", list(RUNS))
def test_the_engine_reproduces_the_golden_file(name):
    problems = compare(to_frame(engine_run(name)), read(name))
    assert not problems, "\n".join(problems)


def test_the_comparison_sees_a_relative_change_of_1e_8_and_a_changed_label():
    golden = read("baseline")
    frame = golden.copy()
    reserves = frame[frame["variable"] == "reserve"]
    row = reserves["value"].astype(float).abs().idxmax()  # above the floor (rtol × the variable's largest magnitude)
    frame.loc[row, "value"] = repr(float(frame.loc[row, "value"]) * (1 + 1e-8))
    assert len(compare(frame, golden)) == 1
    frame = golden.copy()
    row = frame.index[frame["variable"] == "verdict"][0]
    frame.loc[row, "value"] = "balanced" if frame.loc[row, "value"] != "balanced" else "high"
    assert len(compare(frame, golden)) == 1
