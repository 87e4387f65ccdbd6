"""What the commands compute and write, without the terminal: the draw count checked against the
memory, the run and its files, the comparison's files, the budget, the execution estimate, the
solver's overlay and the valuation report. The commands (:mod:`forecast.cli.commands`,
:mod:`forecast.cli.studies`, :mod:`forecast.cli.report`) print around these; ``forecast serve``
(:mod:`forecast.apps.serve`) calls them for its pages and API, so both say and write the same."""

from __future__ import annotations

import numpy as np

from ..errors import InputError, Problem
from ..inputs.region import load_region
from ..library import default_region_path
from ..limits import MAX_DRAWS, MEMORY_SHARE, available_memory, draws_memory, largest_draws
from ..results.csvtext import csv_text, long_table
from ..results.run_files import netcdf_writer, results_tables

__all__ = [
    "check_draws",
    "results_files",
    "run_loaded",
    "compare_files",
    "budget_for",
    "budget_files",
    "execution_outputs",
    "solve_outputs",
    "valuation_html",
]


def check_draws(
    draws: int | None,
    first_year: int,
    last_year: int,
    keep_population: bool = False,
    option: str = "--draws",
    runs_per: int = 1,
    fitting=lambda n: n,
) -> None:
    """Refuse, before any work, a draw count beyond MAX_DRAWS or the memory it would need, saying how
    much and the largest value that fits. ``option`` asks for ``runs_per`` draws per unit (``--sobol N``:
    N × (groups + 2)); ``fitting(n)``: the largest value the option accepts up to n (a power of two)."""
    if draws is None:
        return
    if draws < 1:
        raise InputError(
            Problem(option, "the number of draws must be at least 1", "write e.g. --draws 1000", value=draws)
        )
    years, total = last_year - first_year + 1, draws * runs_per
    need, have = draws_memory(total, years, keep_population), available_memory()
    if total > MAX_DRAWS or need > MEMORY_SHARE * have:
        fits = fitting(largest_draws(years, keep_population) // runs_per)
        what = f"{draws:,} draws" if runs_per == 1 else f"{option} {draws:,} ({total:,} runs)"
        raise InputError(
            Problem(
                option,
                f"{what} to {last_year} would need about {need / 2**30:,.1f} GiB of memory (available: "
                f"{have / 2**30:,.1f} GiB, of which a run plans to use {MEMORY_SHARE:.0%}; at most {MAX_DRAWS:,} draws "
                "in one run)",
                f"use at most {option} {fits:,} on this machine (forecast/limits.py)",
                value=draws,
            )
        )


def results_files(ds) -> dict:
    """The files ``forecast run --out`` writes: the CSV tables, results.nc (and probabilities.csv with draws) and the
    charts."""
    tables = results_tables(ds)
    files = {name: csv_text(frame) for name, frame in tables.items()}
    files["results.nc"] = netcdf_writer(ds)
    if "draw" in ds.dims:
        from ..results.uncertainty import probability_table

        files["probabilities.csv"] = csv_text(
            long_table(probability_table(ds).reset_index(), ["year", "pool"]), index=False
        )
    from ..results.charts import main_charts, png_bytes

    files.update({name: png_bytes(figure) for name, figure in main_charts(ds).items()})
    return files


def run_loaded(
    scenario,
    draws: int | None = None,
    seed: int | None = None,
    strict: bool = False,
    keep: tuple = (),
    progress=None,
    every_draw=None,
):
    """Run a loaded scenario, the draw count checked first and the model's refusals made located
    messages: what every command's run does, without the terminal (``forecast serve`` calls it too);
    ``every_draw``: the Zarr store every draw is written into (``forecast.run``'s)."""
    from ..engine import run

    check_draws(draws, 2000, scenario.horizon, "population" in keep)
    try:
        options = {"strict": strict, "keep": tuple(keep), "progress": progress, "every_draw": every_draw}
        return run(scenario, draws=draws, seed=seed, **options)
    except ValueError as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(Problem(scenario.files[-1], str(exc), "see docs/reference/scenarios.md")) from None


def compare_files(diff) -> dict:
    """impact.csv, difference.csv and difference.nc of a comparison (:func:`forecast.compare`)."""
    from ..apps.views import difference_long, impact_long

    return {
        "impact.csv": csv_text(impact_long(diff), index=False),
        "difference.csv": csv_text(difference_long(diff), index=False),
        "difference.nc": netcdf_writer(diff),
    }


def budget_for(ds, year: int, level: float, actuals=None):
    """The budget of ``year`` from a run (the year checked against its base year and horizon):
    (the budget lines, :func:`forecast.apps.budget.budget_table`; the full-year estimate of the year
    before from its year-to-date ``actuals``, or None)."""
    from ..apps.budget import budget_table, previous_year_estimate

    base = int(ds.attrs["base_year"])
    if not base < year <= int(ds["year"].values[-1]):
        raise InputError(
            Problem(
                "--year",
                f"the budget year must come after the base year {base} and within the horizon "
                f"{int(ds['year'].values[-1])}",
                f"write e.g. --year {base + 1}",
                value=year,
            )
        )
    executed = previous_year_estimate(ds, year, actuals) if actuals is not None else None
    return budget_table(ds, year, level), executed


def budget_files(ds, scenario, year: int, level: float, table, approved=None, executed=None) -> dict:
    """budget.csv and budget.xlsx (the budget workbook) of :func:`budget_for`'s table."""
    from ..apps.budget import budget_workbook_for
    from ..results.workbook import workbook_writer

    workbook = budget_workbook_for(ds, scenario, year, level, approved, executed)
    return {
        "budget.csv": csv_text(
            table.assign(unit=np.where(table["line"] == "months_covered", "months", "yuan")), index=False
        ),
        "budget.xlsx": workbook_writer(workbook),
    }


def execution_outputs(actuals_path, region_path=None, history_path=None, budget_path=None):
    """The full-year estimate from year-to-date actuals (the bundle's seasonal profile, or the fund's own
    ``history``), and with an approved budget its execution rates, like compared with like (统筹基金,
    个人账户 or 合计: :func:`forecast.apps.scopes.align_scopes`): (table, rates or None, files:
    execution.csv and budget_execution.csv). ``table.attrs``: ``notes`` (how scopes were aligned) and
    ``hints`` (提示: a uniform profile, 执行率 outside 80-120%)."""
    from ..apps.execution import full_year, profile_from_history, read_actuals, seasonal_profile
    from ..apps.scopes import align_scopes
    from ..results.review import execution_hints, profile_hint

    actuals = read_actuals(actuals_path)
    approved = None
    if budget_path:
        from ..apps.approved import read_budget

        approved = read_budget(budget_path)
    actuals, approved, notes = align_scopes(actuals, approved)  # like with like: 统筹基金, 个人账户 or 合计
    national = seasonal_profile(load_region(region_path or default_region_path()))
    profile = (
        profile_from_history(read_actuals(history_path, with_year=True), fallback=national)
        if history_path
        else national
    )
    table = full_year(actuals, profile)
    hints = [
        profile_hint(
            [p for p, row in table.iterrows() if row["profile_years"] == "uniform"], profile.attrs.get("source", "")
        )
    ]
    files = {"execution.csv": csv_text(table)}
    rates = None
    if approved is not None:
        from ..apps.approved import execution_rates

        rates = execution_rates(table, approved)
        hints += execution_hints(rates)
        files["budget_execution.csv"] = csv_text(rates, index=False)
    table.attrs.update(notes=list(notes), hints=hints)
    return table, rates, files


def solve_outputs(
    scenario,
    pool: str,
    lever: str,
    target_text: str = "months:6-9",
    start: int | None = None,
    until: int | None = None,
    level: bool = False,
    probability: float | None = None,
    draws: int = 200,
    seed: int = 0,
):
    """What ``forecast solve`` finds and writes, without the terminal: (the solution, its table by
    year with the check run's months covered and balance, the years the check run misses, files:
    solved.yaml and solve.csv). Bad input (target, probability, draws) is refused before any run."""
    import pandas as pd

    from ..apps.solution import misses, overlay_text, parse_target
    from ..apps.solve import solve

    target = parse_target(target_text)
    if probability is not None and not 0 < probability < 1:
        raise InputError(
            Problem(
                "--probability",
                "the probability must be between 0 and 1",
                "write e.g. --probability 0.8",
                value=probability,
            )
        )
    if probability is not None:
        check_draws(draws, 2000, scenario.horizon)
    solution = solve(
        scenario,
        pool,
        lever,
        target,
        until,
        start,
        path=False if level or probability is not None else None,
        probability=probability,
        draws=draws,
        seed=seed,
    )
    frame = pd.DataFrame(solution.values)
    frame.index.name = "year"
    check = solution.check.fund.central().sel(pool=pool)
    frame["months_covered"] = check["months_covered"].sel(year=frame.index).values
    frame["balance_yi"] = check["balance"].sel(year=frame.index).values / 1e8
    return (
        solution,
        frame,
        misses(solution),
        {"solved.yaml": overlay_text(solution, scenario), "solve.csv": csv_text(frame)},
    )


def valuation_html(
    scenario,
    ds,
    previous=None,
    sensitivity: bool = False,
    solve: bool = False,
    author: str | None = None,
    reviewer: str | None = None,
):
    """The valuation report of a run of ``scenario`` (:mod:`forecast.apps.valuation`): (its HTML, its
    context, the balance section's solutions or None). ``previous``: a previous valuation
    (:func:`forecast.apps.reconcile.read_previous`); ``sensitivity``, ``solve``: add the tornado and the
    financing that keeps each pool in the 6-9 month band; ``author``, ``reviewer``: the cover's names
    (blank lines to sign where not given)."""
    from ..apps.valuation import valuation_context
    from ..results.html import render_report

    tornado = None
    if sensitivity:
        from ..apps.sensitivity import sensitivity as one_at_a_time
        from ..apps.sensitivity import tornado_table

        tornado = tornado_table(one_at_a_time(scenario))
    balance = None
    if solve:
        from ..apps.valuation_solve import balance_context

        balance = balance_context(ds, scenario, True)
    context = valuation_context(ds, scenario, previous, tornado, balance, author=author, reviewer=reviewer)
    return render_report(context), context, balance
