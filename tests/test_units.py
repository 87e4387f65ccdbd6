"""Unit conversions from published units are exact for bulletin figures."""

import pytest

from forecast.units import canonical_unit, to_canonical


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (17342.45, "亿元", 1_734_245_000_000.0),
        (30445.5, "亿元", 3_044_550_000_000.0),
        (50686.38, "万元", 506_863_800.0),
        (37948.34, "万人", 379_483_400.0),
        (13.4, "亿人", 1_340_000_000.0),
        (0.06, "ratio", 0.06),
    ],
)
def test_published_units_convert_exactly(value, unit, expected):
    assert to_canonical(value, unit) == expected


def test_unknown_unit_has_no_canonical_form():
    assert canonical_unit("percent") is None
    assert canonical_unit("亿元") == "yuan"
