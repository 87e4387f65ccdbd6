"""Hypothesis identities for the bundle reader and the bundle-building methods."""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.errors import InputError
from forecast.inputs.schema import TABLES
from forecast.inputs.tables import age_label, parse_age, read_table

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("bundle_methods", ROOT / "data" / "build" / "methods.py")
methods = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(methods)


@given(st.integers(0, 120), st.one_of(st.none(), st.integers(0, 10)))
def test_age_labels_round_trip(start, width):
    end = None if width is None else start + width
    assert parse_age(age_label(start, end)) == (start, end)


@st.composite
def partitions(draw):
    """A partition of ages 0..top-1 into consecutive groups, plus the open group top+."""
    widths = draw(st.lists(st.integers(1, 10), min_size=1, max_size=12))  # top group starts at <= 120
    starts = np.concatenate([[0], np.cumsum(widths)])
    groups = [(int(a), int(b) - 1) for a, b in zip(starts[:-1], starts[1:])]
    return groups + [(int(starts[-1]), None)]


def write_population(groups, path):
    lines = ["sex,age,value,unit"]
    for sex in ("male", "female"):
        lines += [f"{sex},{age_label(a, b)},1000,persons" for a, b in groups]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@settings(max_examples=50, deadline=None)
@given(partitions())
def test_any_contiguous_partition_is_accepted_and_conserved(groups):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pop.csv"
        write_population(groups, path)
        df = read_table(path, TABLES["base_population"])
        assert df["value"].sum() == 2 * 1000 * len(groups)


@settings(max_examples=50, deadline=None)
@given(partitions().filter(lambda g: len(g) >= 3), st.data())
def test_removing_an_inner_group_is_an_age_gap(groups, data):
    drop = data.draw(st.integers(1, len(groups) - 2))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pop.csv"
        write_population(groups[:drop] + groups[drop + 1 :], path)
        with pytest.raises(InputError, match="age gap"):
            read_table(path, TABLES["base_population"])


@given(st.lists(st.floats(0, 1e6), min_size=1, max_size=30), st.integers(0, 10**7))
def test_largest_remainder_round_hits_the_total(values, extra):
    values = np.array(values)
    total = int(np.floor(values.sum())) + (extra % (len(values) + 1) if values.sum() > 0 else 0)
    if values.sum() == 0:
        return
    scaled = values / values.sum() * total
    rounded = methods.largest_remainder_round(scaled, total)
    assert rounded.sum() == total
    assert np.all(np.abs(rounded - scaled) < 1)


@given(
    st.lists(st.tuples(st.floats(1e3, 1e8), st.floats(0.5, 2.0)), min_size=2, max_size=25),
    st.floats(0.2, 0.8),
)
def test_raked_sex_split_keeps_group_totals_and_male_total(groups, male_share):
    totals = np.array([t for t, _ in groups])
    odds = np.array([o for _, o in groups])
    target = male_share * totals.sum()
    males = methods.rake_sex_split(totals, odds, target)
    assert males.sum() == pytest.approx(target, rel=1e-9)
    assert np.all((males >= 0) & (males <= totals))
    # odds ratios between groups are preserved (the IPF fixed point)
    new_odds = males / (totals - males)
    assert np.allclose(new_odds / odds, new_odds[0] / odds[0], rtol=1e-6)


def test_age_groups_that_differ_between_the_sexes_are_located(tmp_path):
    """Each part of a table (here, each sex) must use the same age groups as the first."""
    rows = ["year,sex,age,measure,value,unit,source,variant"]
    groups = {"male": ["0", "1-4", "5-99", "100+"], "female": ["0-4", "5-99", "100+"]}
    for sex, ages in groups.items():
        rows += [f"2020-2024,{sex},{age},mx,0.01,per_person_year,X,estimate" for age in ages]
    path = tmp_path / "mortality.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_table(path, TABLES["mortality"])
    messages = [p.message for p in caught.value.problems]
    assert any(m.startswith("the age groups") and "differ from those" in m for m in messages), messages


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=30), st.integers(-1, 1))
def test_largest_remainder_round_reaches_a_total_a_cent_off_either_way(values, off):
    """The budget workbook rounds its items to a total rounded on its own, which may lie one below
    the floors' sum or one above the ceilings': the total is still met, each item within 1 of its
    value for the rounded total and within 2 one beyond."""
    values = np.array(values)
    floors_sum, ceilings_sum = int(np.floor(values).sum()), int(np.ceil(values).sum())
    total = {-1: floors_sum - 1, 0: int(round(values.sum())), 1: ceilings_sum + 1}[off]
    rounded = methods.largest_remainder_round(values, total)
    assert rounded.sum() == total
    if off == 0:
        assert np.all(np.abs(rounded - values) < 1)
    else:
        assert np.all(np.abs(rounded - values) <= 2)
