"""``forecast template --out 本地数据.xlsx``: the input template, a workbook a bureau fills with its
figures instead of writing FIGURES.yaml (``forecast init-region DIR --province P --from 本地数据.xlsx``
reads it back with the same checks). ``--from FIGURES.yaml`` fills it from an existing figures
file. The parser is registered here; the body's imports wait until it runs (the CLI starts fast)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["register", "cmd_template"]


def register(command) -> None:
    """The ``template`` subcommand; ``command`` makes a subparser with the shared options."""
    p = command(
        "template", "write the input template (本地数据.xlsx) a bureau fills instead of FIGURES.yaml", region=False
    )
    p.add_argument(
        "--out",
        required=True,
        metavar="FILE.xlsx",
        help="the workbook to write (atomically; an existing file forecast did not write is refused unless --force)",
    )
    p.add_argument(
        "--from",
        dest="figures",
        metavar="FIGURES.yaml",
        help="fill the template from an existing figures file (checked first)",
    )
    p.add_argument(
        "--force", action="store_true", help="replace a FILE forecast did not write, keeping a copy as FILE.bak"
    )
    p.set_defaults(handler=cmd_template)


def cmd_template(args) -> int:
    from ..apps.regions.template import template_workbook
    from ..errors import InputError, Problem, printable
    from ..results.workbook import workbook_writer
    from ..results.writers import write_files

    target = Path(args.out)
    if target.suffix.lower() != ".xlsx":
        raise InputError(
            Problem(
                "--out",
                f"'{args.out}' is not an .xlsx file name",
                "name the workbook, e.g. --out 本地数据.xlsx",
                value=args.out,
            )
        )
    doc = None
    if args.figures:
        from ..apps.regions.figures import read_figures
        from ..inputs.yamlfile import read_yaml

        read_figures(args.figures)  # the same checks as init-region: a bad figures file is refused here
        doc = read_yaml(Path(args.figures))
    folder = target.parent if str(target.parent) else Path(".")
    write_files(
        folder,
        {target.name: workbook_writer(template_workbook(doc))},
        option="--out",
        inputs=[args.figures] if args.figures else [],
    )
    print(
        printable(
            f"wrote {target}: fill in 基本信息, 人口, 参保, 基金 and 来源, then run: forecast init-region DIR "
            f"--province 省份 --from {target}"
        )
    )
    return 0
