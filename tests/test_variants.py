"""forecast.engine.project_variants (issue 25): deterministic projections that differ only in their
drivers' quantiles, through the fund stages at once (each one draw of a chunk), equal each one's own
projection: every variable to 1e-9, the same attrs."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.engine import project, project_variants, run_plan
from forecast.inputs.region import load_region
from forecast.scenario.load import load_scenario

#: a population driver, fund drivers (one with components), both together, and a low bound
VARIANTS = [
    {"mortality": 0.9},
    {"cost_trend": 0.1, "interest_rate": 0.9},
    {"fertility": 0.2, "wage_growth": 0.8},
    {"coverage": 0.1},
]


@pytest.mark.slow
def test_variants_equal_their_own_projections():
    scenario = load_scenario("baseline")
    region = load_region(scenario.region_path)
    params, root = dict(scenario.params), dict(scenario.root_params)
    plan = run_plan(scenario, region, params, root, scenario.horizon)
    together = project_variants(scenario, region, params, root, scenario.horizon, VARIANTS, plan)
    assert len(together) == len(VARIANTS)
    for quantiles, ds in zip(VARIANTS, together):
        alone = project(scenario, region, params, root, scenario.horizon, quantiles=quantiles)
        assert set(ds.data_vars) == set(alone.data_vars) and set(ds.attrs) == set(alone.attrs)
        assert ds.attrs["driver_quantiles"] == quantiles
        for name, expected in alone.data_vars.items():
            got = ds[name].transpose(*expected.dims)
            if expected.dtype.kind in "fiub":
                scale = float(np.nanmax(np.abs(expected.values))) if expected.size else 0.0
                np.testing.assert_allclose(
                    got.values.astype(float), expected.values.astype(float), rtol=1e-9, atol=1e-9 * scale, err_msg=name
                )
            else:
                assert (got.values == expected.values).all(), name
    # the variants differ from each other (each is its own path, not the first one repeated)
    assert not np.allclose(together[0]["reserve"].values, together[1]["reserve"].values)


def test_variants_refuse_the_central_path():
    with pytest.raises(ValueError, match="at least one driver"):
        project_variants(None, None, {}, {}, 2060, [{"mortality": 0.9}, {}])
    assert project_variants(None, None, {}, {}, 2060, []) == []
