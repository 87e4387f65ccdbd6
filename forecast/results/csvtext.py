"""CSV text for result files: plain decimals and a ``unit`` column.

Every CSV a command writes goes through :func:`csv_text`: numbers as plain decimals with up to 15
significant digits (``3043579000000``, ``0.000123``; never ``3.04e+12``), a missing value as an
empty field (never ``NaN``), an infinite value refused (a bug, never written), and text that a
spreadsheet would take for a formula written with a leading ``'``
(:func:`forecast.results.neutral.csv_cell`). Tables whose
columns hold different quantities are written long by :func:`long_table`: one row per
quantity with its ``value`` and its ``unit``, so one column never mixes yuan, months and years.

>>> import pandas as pd
>>> print(csv_text(pd.DataFrame({"reserve": [3.0435790e12], "share": [1.5e-7]}), index=False).strip())
reserve,share
3043579000000,0.00000015
>>> wide = pd.DataFrame({"pool": ["employee"], "reserve_p10": [2.5e12], "p_exhausted": [0.25]})
>>> print(csv_text(long_table(wide, ["pool"]), index=False).strip())
pool,quantity,value,unit
employee,reserve_p10,2500000000000,yuan
employee,p_exhausted,0.25,ratio
"""

from __future__ import annotations

import math
import re

import numpy as np

from .neutral import neutral_frame

__all__ = ["csv_text", "plain", "long_table", "unit_of"]

#: a quantity's unit from its name (the first pattern that matches), for the long tables
UNIT_PATTERNS = (
    (r"^p_|_share$|_rate$|^income_covers", "ratio"),
    (r"months_covered", "months"),
    (r"year", "year"),
    (r"^(extra_)?(income|expenditure|balance|reserve)|_yuan$", "yuan"),
    (r"insured|members|population|persons", "persons"),
)


def plain(value: float) -> str:
    """``value`` as a plain decimal, 15 significant digits at most (a cent on 10¹² yuan); empty for NaN."""
    if math.isnan(value):
        return ""
    if math.isinf(value):
        raise ValueError(f"an infinite value ({value}) cannot be written to a CSV: this is a bug in forecast")
    text = np.format_float_positional(value, precision=15, unique=False, fractional=False, trim="-")
    return "0" if text in ("-0", "0") else text


def csv_text(frame, index: bool = True) -> str:
    """``frame`` as CSV text with plain decimals (:func:`plain`) and no text read as a formula."""
    return neutral_frame(frame).to_csv(index=index, float_format=plain)


def unit_of(name: str) -> str:
    """The unit of a quantity named ``name`` (``reserve_p10`` -> yuan, ``p_exhausted`` -> ratio)."""
    for pattern, unit in UNIT_PATTERNS:
        if re.search(pattern, name):
            return unit
    raise KeyError(f"no unit known for the quantity {name!r}: add it to UNIT_PATTERNS")


def long_table(frame, id_columns, units: dict | None = None):
    """``frame`` melted to one row per identifier and quantity: columns ``id_columns``,
    ``quantity``, ``value`` and ``unit`` (from ``units``, else :func:`unit_of`), in the order of
    the rows and then of the columns."""
    units = units or {}
    value_columns = [c for c in frame.columns if c not in id_columns]
    long = frame.melt(
        id_vars=list(id_columns), value_vars=value_columns, var_name="quantity", value_name="value", ignore_index=False
    )
    order = {name: i for i, name in enumerate(value_columns)}
    long["_row"] = np.tile(np.arange(len(frame)), len(value_columns))
    long["_column"] = long["quantity"].map(order)
    long = long.sort_values(["_row", "_column"], kind="stable").drop(columns=["_row", "_column"]).reset_index(drop=True)
    long["value"] = long["value"].astype(float)
    long["unit"] = [units.get(q) or unit_of(q) for q in long["quantity"]]
    return long
