"""The runs frozen as golden files, and how a result Dataset becomes text.

``python -m tests.golden.runs`` rewrites tests/golden/*.csv from the package's engine: do it only
for a deliberate, documented change of the model (tests/golden/README.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
SCENARIOS = ROOT / "scenarios"

#: name -> (scenario, draws, seed)
RUNS = {
    "baseline": (f"{SCENARIOS / 'baseline.yaml'}", None, None),
    "raise_special_disease_caps": (
        f"{SCENARIOS / 'baseline.yaml'}+{SCENARIOS / 'raise_special_disease_caps.yaml'}",
        None,
        None,
    ),
    "ltci_extension": (f"{SCENARIOS / 'baseline.yaml'}+{SCENARIOS / 'ltci_extension.yaml'}", None, None),
    "lee_carter_3_draws": (f"{SCENARIOS / 'lee_carter.yaml'}", 3, 7),
}

#: the variables frozen (the population as 5-year age groups by sex)
VARIABLES = (
    "insured",
    "income",
    "expenditure",
    "balance",
    "reserve",
    "months_covered",
    "income_items",
    "expenditure_items",
    "insured_by_status",
    "individual_account_income",
    "individual_account_expenditure",
    "individual_account_reserve",
    "ltci_beneficiaries",
    "income_log_sd",
    "expenditure_log_sd",
    "admissions",
    "outpatient_visits",
    "special_disease_visits",
    "cost_per_admission",
    "price_index",
    "utilisation_index",
    "ageing_index",
    "p_current_deficit",
    "p_exhausted",
    "warning",
)


#: the order of dims in the coords column, whatever order a Dataset stores them in
DIM_ORDER = ("draw", "region", "year", "pool", "status", "income_item", "expenditure_item", "sex", "age_group")


def _verdict_labels(ds) -> xr.DataArray:  # noqa: F821
    """The verdict as text labels, whether the Dataset stores labels or integer codes."""
    verdict = ds["verdict"]
    if verdict.dtype.kind in "iu":
        labels = np.array(str(verdict.attrs["flag_meanings"]).split())
        return verdict.copy(data=labels[verdict.values])
    return verdict


def to_frame(ds) -> pd.DataFrame:
    """One row per number: variable, its coordinates as 'dim=value;...', value (%.17g text)."""
    rows = []
    pop = ds["population"]
    groups = pop.groupby_bins(
        "age",
        bins=list(range(0, 101, 5)) + [200],
        right=False,
        labels=[f"{a}-{a + 4}" for a in range(0, 100, 5)] + ["100+"],
    ).sum()
    arrays = {name: ds[name] for name in VARIABLES if name in ds}
    arrays["population_5y"] = groups.rename({"age_bins": "age_group"})
    arrays["verdict"] = _verdict_labels(ds)
    for name, da in arrays.items():
        da = da.transpose(*sorted(da.dims, key=lambda d: DIM_ORDER.index(d) if d in DIM_ORDER else len(DIM_ORDER)))
        frame = da.to_dataframe(name=name).reset_index()
        keys = frame[list(da.dims)].astype(str)
        frame["coords"] = [";".join(f"{d}={v}" for d, v in zip(da.dims, row)) for row in keys.itertuples(index=False)]
        frame["variable"] = name
        values = frame[name]
        frame["value"] = (
            values.map(lambda v: repr(float(v))) if pd.api.types.is_numeric_dtype(values) else values.astype(str)
        )
        rows.append(frame[["variable", "coords", "value"]])
    return pd.concat(rows, ignore_index=True)


def write(name: str, frame: pd.DataFrame) -> Path:
    path = HERE / f"{name}.csv"
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(HERE / f"{name}.csv", dtype=str, keep_default_na=False)


def compare(frame: pd.DataFrame, golden: pd.DataFrame, rtol: float = 1e-9) -> list[str]:
    """Differences between a run's frame and a golden frame (empty when equal): numbers to
    ``rtol`` relative (with a floor at ``rtol`` times the variable's largest magnitude, for values
    that cross zero), labels exactly."""
    a = frame.set_index(["variable", "coords"])["value"]
    b = golden.set_index(["variable", "coords"])["value"]
    if set(a.index) != set(b.index):
        return [f"different rows: {sorted(set(a.index) ^ set(b.index))[:5]}"]
    b = b.loc[a.index]
    problems = []
    for variable in a.index.get_level_values("variable").unique():
        x, y = a.loc[variable], b.loc[variable]
        if variable == "verdict":
            bad = x.index[(x != y).to_numpy()]
        else:
            xv, yv = x.astype(float).to_numpy(), y.astype(float).to_numpy()
            floor = rtol * np.nanmax(np.abs(yv)) if len(yv) else 0.0
            ok = (np.abs(xv - yv) <= np.maximum(rtol * np.abs(yv), floor)) | (xv == yv)
            bad = x.index[~ok]
        problems += [f"{variable} {key}: {x[key]} != {y[key]} (golden)" for key in bad[:5]]
    return problems


def engine_run(name: str):
    """The run ``name`` by the package's engine."""
    import forecast

    spec, draws, seed = RUNS[name]
    return forecast.run(spec, draws=draws, seed=seed, keep=("population",))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    for run_name in RUNS:
        print("wrote", write(run_name, to_frame(engine_run(run_name))))
