"""The population stage's check before the fund stages (check_projection): a projection with a
negative, NaN or infinite count, or a year without births, is refused with the first such year."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from forecast.errors import InputError
from forecast.model.population.indicators import check_projection


class _Scenario:
    files = ("scenarios/baseline.yaml",)


class _Region:
    path = "data/china"


def _population(value=None, at=None, births=1.0) -> xr.Dataset:
    years = np.arange(2024, 2030)
    counts = np.full((len(years), 3, 2, 4), 100.0)  # year, draw, sex, age
    if at is not None:
        counts[at] = value
    born = np.full((len(years), 3, 2), births)
    dims = ("year", "draw", "sex", "age")
    coords = {"year": years, "draw": np.arange(3), "sex": ["male", "female"], "age": np.arange(4)}
    return xr.Dataset({"population": (dims, counts), "births": (dims[:3], born)}, coords={k: coords[k] for k in coords})


def test_a_sound_projection_passes():
    check_projection(_population(), _Scenario(), _Region())


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf, -1e-9])
def test_a_bad_count_is_refused_with_its_first_year(value):
    with pytest.raises(InputError) as refused:
        check_projection(_population(value, (3, 2, 1, 0)), _Scenario(), _Region())
    assert "negative or non-finite counts from 2027" in str(refused.value)


def test_a_year_without_births_is_refused():
    pop = _population()
    pop["births"][4] = 0.0
    with pytest.raises(InputError) as refused:
        check_projection(pop, _Scenario(), _Region())
    assert "no births in 2028" in str(refused.value)
