"""The ``forecast`` command line.

Bad input ends with one paragraph per problem on stderr and exit code 2, never a
traceback. Commands that write files write them atomically (later stages).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__, default_region_path
from .errors import InputError, Problem
from .region import load_region

EXIT_OK, EXIT_INPUT = 0, 2


def _cmd_validate(args) -> int:
    failed = False
    for raw in args.paths:
        path = Path(raw)
        if path.suffix in (".yaml", ".yml") and path.name != "region.yaml":
            raise InputError(
                Problem(path, "scenario files are not supported yet; this version validates region bundles", "give a bundle folder, e.g. data/china")
            )
        try:
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="forecast",
        description="Project China's medical-insurance funds (医保基金收支预测) from region data bundles.",
    )
    parser.add_argument("--version", action="version", version=f"forecast {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check region bundles; exit 0 when valid, 2 with messages otherwise")
    p.add_argument("paths", nargs="+", metavar="DIR", help="bundle folder (or its region.yaml)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("summary", help="print a bundle's summary: population, insured, last fund year")
    p.add_argument("region", nargs="?", metavar="DIR", help="bundle folder (default: the embedded data/china)")
    p.set_defaults(func=_cmd_summary)
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
