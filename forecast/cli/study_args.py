"""The options of the commands that study a scenario rather than run it once (``explain``,
``solve``, ``sensitivity``, ``backtest``; the bodies in :mod:`forecast.cli.studies`) and of ``batch``
(:mod:`forecast.cli.batch`). Only the standard library is imported here (see :mod:`forecast.cli.args`)."""

from __future__ import annotations

from .options import DRAWS, SEED, YEAR, add_out, add_scenario, count, fraction

__all__ = ["add_studies", "add_batch"]


def add_studies(command) -> None:
    """The parsers of explain, solve, sensitivity and backtest, made by ``command`` (see
    :func:`forecast.cli.args.build_parser`)."""
    p = command(
        "explain", "decompose each pool's first deficit and exhaustion into their drivers, for one or more scenarios"
    )
    p.add_argument(
        "scenarios",
        nargs="*",
        default=["baseline"],
        metavar="SCENARIO",
        help="scenario files or shipped names (default: baseline)",
    )
    p.add_argument(
        "--until",
        type=YEAR,
        metavar="YEAR",
        help="last year of the growth rates (default: 11 years after the base year)",
    )
    add_out(p, "write explain.csv into DIR (atomically)")

    p = command(
        "solve",
        "the financing (or benefit) that keeps a pool on target: months covered in a band, no deficit, no exhaustion",
    )
    add_scenario(p)
    p.add_argument("--pool", required=True, choices=["employee", "resident", "ltci"], help="the pool to keep on target")
    p.add_argument(
        "--lever",
        required=True,
        metavar="LEVER",
        help=(
            "financing, financing.individual, financing.subsidy (resident; ltci: financing); rate, rate.employer, "
            "rate.employee (employee); or benefit:PATH"
        ),
    )
    p.add_argument(
        "--target",
        default="months:6-9",
        metavar="TARGET",
        help="months:LO-HI (default months:6-9), no_deficit or no_exhaustion",
    )
    p.add_argument(
        "--from",
        dest="start",
        type=YEAR,
        metavar="YEAR",
        help="first year the lever moves and the target is checked (default: the year after the base year)",
    )
    p.add_argument("--until", type=YEAR, metavar="YEAR", help="last year the target must hold (default: the horizon)")
    p.add_argument(
        "--level",
        action="store_true",
        help="one value from --from on (a multiplier of the financing path) instead of a year-by-year path",
    )
    p.add_argument(
        "--probability",
        type=fraction("the probability", "--probability 0.8"),
        metavar="P",
        help="the target must hold in a share P of the draws (one level; with --draws)",
    )
    p.add_argument("--draws", type=DRAWS, default=200, metavar="N", help="draws for --probability (default 200)")
    p.add_argument(
        "--seed",
        type=SEED,
        default=0,
        metavar="S",
        help="seed of the draws (default 0: the same draws for every trial value)",
    )
    add_out(p, "write solved.yaml (the overlay) and solve.csv into DIR (default: a new dated folder, announced)")

    p = command(
        "sensitivity",
        "one-at-a-time sensitivity: each assumption group low and high; tornado of exhaustion years and months covered",
    )
    add_scenario(p)
    p.add_argument(
        "--percentile",
        type=fraction("the percentile", "--percentile 0.9"),
        default=0.9,
        metavar="P",
        help="the groups' high percentile (default 0.9: the 10th and 90th)",
    )
    p.add_argument(
        "--sobol",
        type=count(2, "the Sobol base sample", "--sobol 64"),
        metavar="N",
        help="also global Sobol indices from N x (groups + 2) runs (a power of two, e.g. 64)",
    )
    add_out(p, "write tornado.csv and tornado.png (and sobol.csv) into DIR (each file atomically)")

    p = command("backtest", "forecast past years from the data known then and compare with the bulletins")
    add_scenario(p)
    p.add_argument(
        "--train-until",
        type=YEAR,
        nargs="+",
        required=True,
        metavar="YEAR",
        help="last year of data used (one or more cut-offs)",
    )
    p.add_argument(
        "--horizon",
        type=count(1, "the horizon", "--horizon 3"),
        default=3,
        metavar="K",
        help="years forecast after each cut-off (default 3)",
    )
    p.add_argument(
        "--draws",
        type=DRAWS,
        metavar="N",
        help="also run each cut-off stochastically and report how often its 10-90%% band held the outcome",
    )
    p.add_argument(
        "--seed", type=SEED, default=None, metavar="S", help="random seed for the draws (a whole number, 0 or more)"
    )
    add_out(p, "write backtest.csv, mape.csv and backtest.png into DIR (default: a new dated folder, announced)")


def add_batch(command) -> None:
    """The parser of batch, made by ``command``."""
    p = command(
        "batch",
        "run scenarios on many region bundles at once on dask (a LocalCluster, or a cluster's scheduler)",
        region=False,
    )
    p.add_argument(
        "--regions",
        nargs="+",
        required=True,
        metavar="DIR",
        help="region bundle folders, or shipped bundles' names (wenzhou qiandongnan)",
    )
    p.add_argument(
        "--scenarios",
        nargs="+",
        default=["baseline"],
        metavar="SCENARIO",
        help="scenario files or shipped names (default: baseline)",
    )
    p.add_argument("--draws", type=DRAWS, metavar="N", help="draws of every driver per region and scenario")
    p.add_argument(
        "--seed", type=SEED, default=None, metavar="S", help="random seed (the same streams for every region)"
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a running dask scheduler's address (default: a LocalCluster started and closed by the command)",
    )
    p.add_argument(
        "--workers",
        type=count(1, "the number of workers", "--workers 2"),
        default=2,
        metavar="K",
        help="LocalCluster worker processes (default 2)",
    )
    add_out(
        p,
        "write batch.nc (batch.zarr when large) and batch_summary.csv into DIR "
        "(default: a new dated folder, announced)",
    )
