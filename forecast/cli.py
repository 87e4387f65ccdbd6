"""The ``forecast`` command line.

Bad input ends with one paragraph per problem on stderr and exit code 2, never a
traceback. Commands that write files write them atomically: all files or none.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from . import __version__, default_region_path
from .errors import InputError, Problem
from .region import load_region
from .scenario import load_scenario

EXIT_OK, EXIT_INPUT = 0, 2


def _cmd_validate(args) -> int:
    failed = False
    for raw in args.paths:
        path = Path(raw)
        try:
            if "+" in raw or (path.suffix in (".yaml", ".yml") and path.name != "region.yaml"):
                scenario = load_scenario(raw)
                load_region(scenario.region_path)
                print(f"OK {raw}: scenario '{scenario.title}' on region {scenario.region_path}")
                continue
            region = load_region(path)
        except InputError as err:
            print(f"INVALID {path}\n\n{err.render()}\n", file=sys.stderr)
            failed = True
            continue
        tables = len(region.files)
        print(f"OK {path}: region '{region.name}' ({region.level}), {tables} tables, every file cited")
    return EXIT_INPUT if failed else EXIT_OK


def _cmd_summary(args) -> int:
    region = load_region(args.region or default_region_path())
    print(region.summary())
    return EXIT_OK


def _cmd_population(args) -> int:
    from .outputs import netcdf_ready, write_atomically
    from .population import project_scenario
    from .report import population_headline, population_table

    scenario = load_scenario(args.scenario)
    if args.draws is not None and args.draws < 1:
        raise InputError(Problem("--draws", "the number of draws must be at least 1", "write e.g. --draws 1000"))
    try:
        ds = project_scenario(scenario, end_year=args.until, draws=args.draws, seed=args.seed)
    except ValueError as exc:
        raise InputError(Problem(args.scenario, str(exc), "see the population section of README.md")) from None
    print(population_headline(ds, scenario.title))
    if args.out:
        table = population_table(ds)
        try:
            write_atomically(
                args.out,
                {
                    "population_indicators.csv": table.to_csv(float_format="%.12g"),
                    "population.nc": lambda path: netcdf_ready(ds).to_netcdf(path, engine="scipy"),
                },
            )
        except OSError as exc:
            raise InputError(Problem("--out", f"cannot write the results to {args.out}: {exc.strerror or exc}", "give a folder path you can write to (it is created if absent)", value=args.out)) from None
        print(f"\nwrote {args.out}/population_indicators.csv and {args.out}/population.nc")
    return EXIT_OK


def _write(out: str, files: dict) -> None:
    from .outputs import write_atomically

    try:
        write_atomically(out, files)
    except OSError as exc:
        raise InputError(Problem("--out", f"cannot write the results to {out}: {exc.strerror or exc}", "give a folder path you can write to (it is created if absent)", value=out)) from None


def _results_files(ds) -> dict:
    from .outputs import netcdf_ready, results_tables

    tables = results_tables(ds)
    files = {name: frame.to_csv(float_format="%.12g") for name, frame in tables.items()}
    files["results.nc"] = lambda path: netcdf_ready(ds).to_netcdf(path, engine="scipy")
    return files


def _run(path: str, args):
    from .projection import run

    if getattr(args, "draws", None) is not None and args.draws < 1:
        raise InputError(Problem("--draws", "the number of draws must be at least 1", "write e.g. --draws 100"))
    scenario = load_scenario(path)
    try:
        return run(scenario, draws=getattr(args, "draws", None), seed=getattr(args, "seed", None), strict=getattr(args, "strict", False))
    except ValueError as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(Problem(path, str(exc), "see the README section 'Scenario files'")) from None


def _cmd_run(args) -> int:
    from .report import fund_headline

    ds = _run(args.scenario, args)
    print(fund_headline(ds))
    if args.out:
        _write(args.out, _results_files(ds))
        print(f"\nwrote {args.out}/: results.nc, summary.csv, accounts.csv, calibration.csv")
    return EXIT_OK


def _cmd_compare(args) -> int:
    from .comparison import compare, impact_table
    from .outputs import netcdf_ready

    base, alt = _run(args.base, args), _run(args.alt, args)
    diff = compare(base, alt)
    table = impact_table(diff)
    print(f"Impact of '{alt.attrs['scenario_title']}' against '{base.attrs['scenario_title']}' (亿元; years)")
    print(table.to_string(float_format=lambda v: f"{v:,.1f}", na_rep="—"))
    if args.out:
        _write(args.out, {"impact.csv": table.to_csv(float_format="%.12g"), "difference.nc": lambda path: netcdf_ready(diff).to_netcdf(path, engine="scipy")})
        print(f"\nwrote {args.out}/: impact.csv, difference.nc")
    return EXIT_OK


def _cmd_backtest(args) -> int:
    import warnings

    import pandas as pd

    from .backtest import COMPARED_SERIES, backtest, mape_table
    from .charts import backtest_chart

    scenario = load_scenario(args.scenario)
    region = load_region(args.region or scenario.region_path)
    if args.horizon < 1:
        raise InputError(Problem("--horizon", "the horizon must be at least 1 year", "write e.g. --horizon 3"))
    tables = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels warns on very short samples; the fit summary says how many points it had
        for year in args.train_until:
            table, _ = backtest(scenario, region, year, args.horizon)
            tables.append(table)
    table = pd.concat(tables, ignore_index=True)
    print(f"Back-test of '{scenario.title}' on {region.name}: forecasts from data up to {', '.join(map(str, args.train_until))} against the bulletins (亿元)")
    shown = table.assign(forecast=table["forecast"] / 1e8, actual=table["actual"] / 1e8, error=table["error"] * 100)
    print(shown.rename(columns={"error": "error %"}).to_string(index=False, float_format=lambda v: f"{v:,.2f}"))
    mape = mape_table(table) * 100
    print("\nMean absolute percentage error (%), by horizon in years:")
    print(mape.to_string(float_format=lambda v: f"{v:.1f}", na_rep="—"))
    history = {(name, item): region.fund(pool, item, account) for name, (pool, account) in COMPARED_SERIES.items() for item in ("income", "expenditure")}
    out = args.out or "out/backtest"
    _write(out, {"backtest.csv": table.to_csv(index=False, float_format="%.12g"), "mape.csv": mape.to_csv(float_format="%.4g"), "backtest.png": lambda path: backtest_chart(table, history, path)})
    print(f"\nwrote {out}/: backtest.csv, mape.csv, backtest.png")
    return EXIT_OK


def _cmd_budget(args) -> int:
    import warnings

    from .budget import budget_table
    from .fitting import fit_history
    from .fund import VERDICTS

    ds = _run(args.scenario, args)
    base = int(ds.attrs["base_year"])
    if not base < args.year <= int(ds["year"].values[-1]):
        raise InputError(Problem("--year", f"the budget year must come after the base year {base} and within the horizon {int(ds['year'].values[-1])}", f"write e.g. --year {base + 1}", value=args.year))
    if not 0 < args.level < 1:
        raise InputError(Problem("--level", "the interval level must be between 0 and 1", "write e.g. --level 0.8", value=args.level))
    region = load_region(ds.attrs["region_path"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fits = fit_history(region, until=base)
    table = budget_table(ds, args.year, fits, args.level)
    print(f"Fund budget {args.year} (预算) — {ds.attrs['scenario_title']}; base year {base}; {args.level:.0%} prediction interval on totals (亿元)")
    for pool, group in table.groupby("pool", sort=False):
        verdict = str(ds["verdict"].sel(year=args.year, pool=pool).item())
        print(f"\n  {group['pool_zh'].iloc[0]} ({pool}) — {VERDICTS.get(verdict, verdict)} ({verdict})")
        for _, row in group.iterrows():
            unit = 1 if row["line"] == "months_covered" else 1e8
            band = "" if np.isnan(row["low"]) else f"   [{row['low'] / unit:,.1f} – {row['high'] / unit:,.1f}]"
            print(f"    {row['line_zh']:<12} {row['line_en']:<46}{row['value'] / unit:>12,.1f}{band}")
    if args.out:
        def excel(path):
            import pandas as pd

            with pd.ExcelWriter(path, engine="openpyxl") as writer:
                for pool, group in table.groupby("pool", sort=False):
                    sheet = group.assign(value_yi=group["value"] / 1e8, low_yi=group["low"] / 1e8, high_yi=group["high"] / 1e8)
                    sheet.to_excel(writer, sheet_name=str(pool)[:31], index=False)

        _write(args.out, {"budget.csv": table.to_csv(index=False, float_format="%.12g"), "budget.xlsx": excel})
        print(f"\nwrote {args.out}/: budget.csv, budget.xlsx (one sheet per pool; money in yuan and 亿元)")
    return EXIT_OK


def _cmd_execution(args) -> int:
    from .execution import full_year, profile_from_history, read_actuals, seasonal_profile
    from .report import MONTHS

    actuals = read_actuals(args.actuals)
    profile = profile_from_history(read_actuals(args.history, with_year=True)) if args.history else seasonal_profile(load_region(args.region or default_region_path()))
    table = full_year(actuals, profile)
    print(f"Budget execution (预算执行): full-year estimate from {args.actuals} (万元; interval from the seasonal profile)")
    for pool, row in table.iterrows():
        print(f"\n  {pool}: January-{MONTHS[row['month'] - 1]} (profile: {row['profile_years']})")
        for item in ("income", "expenditure", "balance"):
            to_date = "" if item == "balance" else f"to date {row[f'{item}_to_date'] / 1e4:,.2f}; "
            low, high = row[f"{item}_low"], row[f"{item}_high"]
            band = "" if np.isnan(low) else f" [{low / 1e4:,.2f} – {high / 1e4:,.2f}]"
            print(f"    {item:<12} {to_date}full year {row[f'{item}_estimate'] / 1e4:,.2f}{band}")
        print(f"    verdict: {row['verdict']}")
    if args.out:
        _write(args.out, {"execution.csv": table.to_csv(float_format="%.12g")})
        print(f"\nwrote {args.out}/execution.csv")
    return EXIT_OK


def _cmd_show_scenario(args) -> int:
    print(load_scenario(args.scenario).describe())
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="forecast",
        description="Project China's medical-insurance funds (医保基金收支预测) from region data bundles.",
    )
    parser.add_argument("--version", action="version", version=f"forecast {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check region bundles and scenarios; exit 0 when valid, 2 with messages otherwise")
    p.add_argument("paths", nargs="+", metavar="PATH", help="bundle folder (or its region.yaml), or scenario file(s) (a.yaml+b.yaml)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("summary", help="print a bundle's summary: population, insured, last fund year")
    p.add_argument("region", nargs="?", metavar="DIR", help="bundle folder (default: the embedded data/china)")
    p.set_defaults(func=_cmd_summary)

    p = sub.add_parser("population", help="project the population of a scenario's region and print the headline")
    p.add_argument("scenario", nargs="?", default=str(Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"), metavar="SCENARIO")
    p.add_argument("--until", type=int, metavar="YEAR", help="last projected year (default: the scenario's horizon)")
    p.add_argument("--draws", type=int, metavar="N", help="stochastic run with N draws (needs lee_carter mortality)")
    p.add_argument("--seed", type=int, default=None, metavar="S", help="random seed for the draws")
    p.add_argument("--out", metavar="DIR", help="write population_indicators.csv into DIR (atomically)")
    p.set_defaults(func=_cmd_population)

    p = sub.add_parser("run", help="project every pool of a scenario to its horizon and print the verdict")
    p.add_argument("scenario", metavar="SCENARIO", help="scenario file, or overlays a.yaml+b.yaml")
    p.add_argument("--out", metavar="DIR", help="write results.nc, summary.csv, accounts.csv and calibration.csv into DIR (atomically)")
    p.add_argument("--draws", type=int, metavar="N", help="stochastic population with N draws (needs lee_carter mortality)")
    p.add_argument("--seed", type=int, default=None, metavar="S", help="random seed for the draws")
    p.add_argument("--strict", action="store_true", help="refuse to extend any dated value beyond its last given year")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("compare", help="run two scenarios and print the impact of ALT against BASE")
    p.add_argument("base", metavar="BASE")
    p.add_argument("alt", metavar="ALT")
    p.add_argument("--out", metavar="DIR", help="write impact.csv and difference.nc into DIR (atomically)")
    p.set_defaults(func=_cmd_compare)

    p = sub.add_parser("backtest", help="forecast past years from the data known then and compare with the bulletins")
    p.add_argument("--train-until", type=int, nargs="+", required=True, metavar="YEAR", help="last year of data used (one or more cut-offs)")
    p.add_argument("--horizon", type=int, default=3, metavar="K", help="years forecast after each cut-off (default 3)")
    p.add_argument("--region", metavar="DIR", help="bundle folder (default: the scenario's region)")
    p.add_argument("--scenario", default=str(Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"), metavar="SCENARIO")
    p.add_argument("--out", metavar="DIR", help="write backtest.csv, mape.csv and backtest.png into DIR (default out/backtest)")
    p.set_defaults(func=_cmd_backtest)

    p = sub.add_parser("budget", help="next year's fund budget per pool in budget line items, with a prediction interval")
    p.add_argument("--year", type=int, required=True, metavar="YEAR", help="the budget year (after the base year)")
    p.add_argument("--scenario", default=str(Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"), metavar="SCENARIO")
    p.add_argument("--level", type=float, default=0.8, metavar="P", help="prediction-interval level (default 0.8)")
    p.add_argument("--out", metavar="DIR", help="write budget.csv and budget.xlsx into DIR (atomically)")
    p.set_defaults(func=_cmd_budget)

    p = sub.add_parser("execution", help="estimate the full year from year-to-date actuals and say whether it closes 收支平衡")
    p.add_argument("actuals", metavar="ACTUALS", help="CSV: pool,month,income,expenditure,unit (cumulated from January)")
    p.add_argument("--history", metavar="CSV", help="the fund's own monthly history: year,pool,month,income,expenditure,unit (cumulative; month 12 = the year)")
    p.add_argument("--region", metavar="DIR", help="bundle whose monthly_fund table gives the default profile (default data/china)")
    p.add_argument("--out", metavar="DIR", help="write execution.csv into DIR (atomically)")
    p.set_defaults(func=_cmd_execution)

    p = sub.add_parser("show-scenario", help="print every resolved parameter with the file and line it came from")
    p.add_argument("scenario", metavar="SCENARIO")
    p.set_defaults(func=_cmd_show_scenario)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except InputError as err:
        print(err.render(), file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into head, less: nothing left to say
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
