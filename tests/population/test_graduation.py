"""Graduation preserves group totals exactly and never goes negative."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.model.population import graduate_counts, graduate_rates
from forecast.model.population.project import base_single_ages


def test_census_groups_keep_their_totals(china):
    pop = china.base_population
    single = base_single_ages(china)
    for sex in ("male", "female"):
        for group, start, end in zip(pop.age_group.values, pop.age_start.values, pop.age_end.values):
            stop = 101 if end < 0 else end + 1
            got = float(single.sel(sex=sex, age=slice(start, stop - 1)).sum())
            assert got == pytest.approx(float(pop.sel(sex=sex, age_group=group)), rel=1e-12), (sex, group)
    assert (single.values >= 0).all()
    assert single.sizes["age"] == 101


def test_rates_keep_integrated_hazard():
    mx = np.array([0.006, 0.0003, 0.0002, 0.0004, 0.02, 0.6])
    starts, ends = [0, 1, 5, 10, 15, 20], [0, 4, 9, 14, 19, None]
    single = graduate_rates(mx, starts, ends, open_age=20)
    assert single[1:5].sum() == pytest.approx(4 * 0.0003, rel=1e-12)
    assert single[15:20].sum() == pytest.approx(5 * 0.02, rel=1e-12)
    assert single[-1] == 0.6 and (single > 0).all()


def test_open_group_below_100_is_refused_with_the_fix():
    with pytest.raises(ValueError, match="split the open group"):
        graduate_counts([1.0, 4.0, 5.0], [0, 1, 5], [0, 4, None], open_age=100)


def test_qx_tables_convert_with_a_constant_force(china):
    """A bundle may give qx: m = -ln(1 - q) / n reproduces the mx it came from."""
    from forecast.model.population.rates import single_age_mortality

    mx = china.mortality
    widths = xr_widths(mx)
    qx = (1 - np.exp(-mx * widths)).where(mx.age_end >= 0, 1.0)
    qx.attrs.update(mx.attrs, measure="qx")
    back = single_age_mortality(qx).sel(age=slice(0, 99))
    assert np.allclose(back.values, single_age_mortality(mx).sel(age=slice(0, 99)).values, rtol=1e-9)


def xr_widths(da):
    return (da.age_end - da.age_start + 1).where(da.age_end >= 0, 1)
