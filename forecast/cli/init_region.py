"""``forecast init-region DIR --province NAME --from FIGURES.yaml``: a prefecture bundle from a bureau's figures.

Reads and checks FIGURES.yaml (:mod:`forecast.apps.regions.figures`), builds every table
(:mod:`forecast.apps.regions.build`, :mod:`forecast.apps.regions.accounts`), writes them with
``region.yaml`` and ``SOURCES.md`` into DIR atomically (:func:`forecast.results.writers.write_files`),
then loads the new bundle as ``forecast validate`` would. An existing bundle in DIR (a
``region.yaml``) is refused unless ``--force``; files the command does not write are never touched.
The parser imports this module at start-up, when the CLI imports only the standard library (see
:mod:`forecast.cli.main`): the command's imports wait until it runs.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..errors import InputError, Problem

__all__ = ["register", "cmd_init_region"]


def register(command) -> None:
    """The ``init-region`` subcommand; ``command`` makes a subparser with the shared options."""
    p = command(
        "init-region",
        "build a prefecture bundle from a bureau's local figures, the rest from the province and the nation",
        region=False,
    )
    p.add_argument(
        "folder", metavar="DIR", help="the bundle folder to create (refused if it holds a bundle, unless --force)"
    )
    p.add_argument(
        "--province",
        required=True,
        metavar="NAME",
        help="the province whose census structure the bundle takes, e.g. 贵州",
    )
    p.add_argument(
        "--from",
        dest="figures",
        required=True,
        metavar="FIGURES.yaml",
        help=(
            "the bureau's figures: FIGURES.yaml (examples/figures.yaml) or the filled input template of 'forecast "
            "template' (docs/reference/init-region.md)"
        ),
    )
    p.add_argument("--force", action="store_true", help="replace the files of an existing bundle in DIR")


def cmd_init_region(args) -> int:
    from ..apps.regions.bundle import bundle_files, run_notes
    from ..apps.regions.figures import read_figures
    from ..apps.regions.province import bare_name
    from ..inputs.region import load_region
    from ..results.writers import write_files

    folder = Path(args.folder)
    if (folder / "region.yaml").exists() and not args.force:
        raise InputError(
            Problem(
                folder / "region.yaml",
                "DIR already holds a region bundle",
                "give a new folder, or pass --force to replace the bundle's files (files init-region does not write "
                "are left as they are)",
            )
        )
    figures = read_figures(args.figures)
    if figures.province and bare_name(figures.province) != bare_name(args.province):
        raise InputError(
            Problem(
                figures.path,
                f"the figures are for a place in {figures.province}, and --province says {args.province}",
                "give the same province in both (or leave 'province:' out of the figures)",
                field="province",
                value=figures.province,
            )
        )
    if not figures.province:  # a named province was checked above
        _check_province(figures, args.province)
    files = bundle_files(figures, args.province)
    _check_before_writing(files, folder, figures.path)
    write_files(folder, files, option="DIR", inputs=[args.figures])
    region = load_region(folder)
    print(f"wrote {len(files)} files into {folder}; the bundle validates")
    print(region.summary())
    for line in run_notes(region):
        print(line)
    return 0


def _check_province(figures, province: str) -> None:
    """Refuse figures whose sources are another province's: a source naming one province (its
    census bulletin, its e0) while none names --province is figures for a place elsewhere."""
    from ..apps.regions.province import AUTONOMOUS_REGIONS, bare_name, province_names
    from ..errors import InputError, Problem

    wanted = bare_name(province)
    if wanted not in province_names():
        return  # an unknown province: the bundle's builder names the 31
    full = {short: long for long, short in AUTONOMOUS_REGIONS.items()}
    named = {}
    for sid, source in (figures.sources or {}).items():
        title = str(source.get("title", "")) if isinstance(source, dict) else str(source)
        for name in province_names():
            if name in title or full.get(name, "\0") in title:
                named.setdefault(name, sid)
    others = {name: sid for name, sid in named.items() if name != wanted}
    if others and wanted not in named:
        name, sid = next(iter(others.items()))
        raise InputError(
            Problem(
                figures.path,
                f"the figures' sources are {name}'s (source {sid}), and --province says {province}: the bundle would "
                f"take {wanted}'s census structure for a place in {name}",
                f"give --province {name}, or write 'province: {province}' in the figures if the place is in {province}",
                field="sources",
                value=sid,
            )
        )


def _check_before_writing(files: dict, folder: Path, figures_path) -> None:
    """Load the bundle from a scratch folder first: nothing is written into DIR unless it validates.
    A check the built bundle fails is the figures' fault: it is reported against FIGURES.yaml,
    naming the table it showed in (the file is not written)."""
    from ..inputs.region import load_region
    from ..results.writers import write_files

    with tempfile.TemporaryDirectory(prefix="init-region.") as scratch:
        write_files(scratch, files, option="DIR")
        try:
            load_region(scratch)
        except InputError as err:
            moved = [
                Problem(
                    figures_path,
                    "the bundle built from these figures fails a check "
                    f"({Path(str(p.file)).name}{f', row {p.line}' if p.line else ''}): {p.message}",
                    f"{p.fix}; the figures (and their units) are in this file",
                )
                for p in err.problems
            ]
            raise InputError(moved) from None
