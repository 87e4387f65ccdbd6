"""Life table: a hand-checked three-age example and the published e0 of WPP 2024."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.model.population import life_table


def test_hand_checked_three_age_table():
    """Ages 0, 1, 2+ with m = 0.01, 0.01, 0.5 (female). By hand:
    a0 = 0.14903 - 2.05527 × 0.01 = 0.1284773 (Andreev-Kingkade, m0 < 0.01724)
    q0 = 0.01 / (1 + 0.8715227 × 0.01) = 0.00991359...; l1 = 1 - q0
    L0 = l1 + a0 q0
    q1 = 0.01 / 1.005; l2 = l1 (1 - q1); L1 = l2 + 0.5 l1 q1
    L2 = l2 / 0.5
    L0 = 0.99136, L1 = 0.98517, L2 = 1.96046, e0 = L0 + L1 + L2 = 3.93699 years."""
    a0 = 0.14903 - 2.05527 * 0.01
    q0 = 0.01 / (1 + (1 - a0) * 0.01)
    l1 = 1 - q0
    q1 = 0.01 / 1.005
    l2 = l1 * (1 - q1)
    e0 = (l1 + a0 * q0) + (l2 + 0.5 * l1 * q1) + l2 / 0.5
    table = life_table(np.array([0.01, 0.01, 0.5]), a0)
    assert table["ex"][0] == pytest.approx(e0, rel=1e-14)
    assert e0 == pytest.approx(3.93699, abs=1e-5)
    assert table["lx"][2] == pytest.approx(l2, rel=1e-14)
    assert table["ex"][2] == pytest.approx(2.0)  # open group: 1 / m


def test_bundle_mortality_gives_wpp2024_e0(china):
    """WPP 2024 published e0 (wpp2024_china_e0_annual.csv), averaged over the WPP period 2015-2020 (1 July
    2015 to 30 June 2020: half of 2015, 2016-2019, half of 2020): male 74.83, female 80.41. Our single-age
    table from the graduated 5-year rates must agree within 0.3 years (graduation and a_x conventions
    differ from WPP's, and a period's e0 is not exactly its years' mean). Measured: 74.93 and 80.51."""
    import csv

    from forecast.model.population.lifetable import infant_ax
    from forecast.model.population.rates import single_age_mortality

    from ..conftest import RESEARCH

    with open(RESEARCH / "wpp2024_china_e0_annual.csv", encoding="utf-8") as f:
        e0_by_year = {int(r["year"]): r for r in csv.DictReader(f)}
    mx = single_age_mortality(china.mortality).sel(period="2015-2019")
    for sex, column in (("male", "e0M"), ("female", "e0F")):
        published = (
            float(e0_by_year[2015][column]) / 2
            + sum(float(e0_by_year[y][column]) for y in range(2016, 2020))
            + float(e0_by_year[2020][column]) / 2
        ) / 5
        m = mx.sel(sex=sex).values
        e0 = life_table(m, infant_ax(m[0], sex))["ex"][0]
        assert e0 == pytest.approx(published, abs=0.3), sex
