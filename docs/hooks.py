"""MkDocs hooks: the pages generated at build time, so that they are the code's, never typed.

- ``reference/cli.md``: every command's ``--help`` (the parser in :mod:`forecast.cli.args`);
- ``reference/parameters.md``: every scenario parameter with its unit, range, default and reference
  (the schema, :mod:`forecast.scenario.parameters`);
- ``notebooks/*.md``: the notebooks of ``notebooks/`` executed (nbclient, in a temporary folder) and
  rendered: their text, code, printed output, tables and figures (PNG embedded);
- ``contributing.md`` from the project's CONTRIBUTING.md, its links (written for the repository: to
  ``docs/...`` and ``README.md``) made the site's, and the link to it from docs/ pages likewise.
"""

from __future__ import annotations

import base64
import html
import shutil
import tempfile
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_TIMEOUT = 900


def on_config(config):
    for section in config["nav"]:
        if isinstance(section, dict) and "Contributors" in section:
            section["Contributors"].insert(0, {"Contributing": "contributing.md"})
    return config


def site_links(markdown: str) -> str:
    """CONTRIBUTING.md's repository links as the site's: docs/X -> X, README.md -> the home page."""
    return markdown.replace("](docs/", "](").replace("](README.md)", "](index.md)")


def on_page_markdown(markdown, page, config, files):
    """A docs page's link to the repository's CONTRIBUTING.md is the site's contributing page."""
    return markdown.replace("](../CONTRIBUTING.md)", "](contributing.md)")


def on_files(files, config):
    pages = {"reference/cli.md": cli_page(), "reference/parameters.md": parameters_page()}
    if (ROOT / "CONTRIBUTING.md").is_file():
        pages["contributing.md"] = site_links((ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8"))
    pages.update(notebook_pages())
    for name, content in pages.items():
        files.append(File.generated(config, name, content=content))
    return files


def cli_page() -> str:
    """Every command's help, as ``forecast COMMAND --help`` prints it."""
    import argparse

    from forecast.cli.args import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    out = [
        "# Commands",
        "",
        "Generated from the command line's parser (`forecast COMMAND --help` prints the same).",
        "",
        "```text",
        parser.format_help().rstrip(),
        "```",
        "",
    ]
    for name, command in sub.choices.items():
        out += [f"## forecast {name}", "", "```text", command.format_help().rstrip(), "```", ""]
    return "\n".join(out)


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def parameters_page() -> str:
    """The scenario schema: every parameter with its unit, range, default and reference."""
    from forecast.scenario.parameters import iter_params

    out = [
        "# Scenario parameters",
        "",
        "Generated from the schema (`forecast/scenario/parameters.py`): every key a scenario file may set, with its "
        "unit, allowed range, default and the policy document it follows. `forecast show-scenario NAME` prints a "
        "scenario's resolved values with the file and line each comes from.",
        "",
        "| parameter | unit | range | default | meaning | reference |",
        "|---|---|---|---|---|---|",
    ]
    for path, param in iter_params():
        bounds = (
            ""
            if param.low is None and param.high is None
            else f"{'' if param.low is None else f'{param.low:g}'} – {'' if param.high is None else f'{param.high:g}'}"
        )
        choices = ", ".join(map(str, param.choices)) if param.choices else bounds
        default = "" if param.default is None else param.default
        out.append(
            f"| `{path}` | {_cell(param.unit)} | {_cell(choices)} | {_cell(default)} | {_cell(param.description)} | "
            f"{_cell(param.reference)} |"
        )
    return "\n".join(out) + "\n"


def notebook_pages() -> dict[str, str]:
    """notebooks/NAME.ipynb -> notebooks/NAME.md, executed."""
    import nbformat
    from nbclient import NotebookClient

    pages = {}
    with tempfile.TemporaryDirectory(prefix="forecast-docs.") as scratch:
        for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
            copy = Path(scratch) / path.name
            shutil.copy(path, copy)
            nb = nbformat.read(copy, as_version=4)
            NotebookClient(
                nb, timeout=NOTEBOOK_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": scratch}}
            ).execute()
            pages[f"notebooks/{path.stem}.md"] = notebook_markdown(nb, path.name)
    return pages


def notebook_markdown(nb, name: str) -> str:
    """A notebook as Markdown: markdown cells as written, code in python blocks, outputs after them."""
    out = [f"*Rendered from `notebooks/{name}`, executed when the site was built.*", ""]
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            out += [cell.source, ""]
        elif cell.cell_type == "code":
            out += ["```python", cell.source, "```", ""]
            for output in cell.get("outputs", []):
                out += _output(output)
    return "\n".join(out)


def _output(output) -> list[str]:
    if output.output_type == "stream":
        return ["```text", output.text.rstrip(), "```", ""]
    if output.output_type == "error":
        raise RuntimeError(f"a notebook cell failed: {output.ename}: {output.evalue}")
    data = output.get("data", {})
    if "image/png" in data:
        png = (
            data["image/png"]
            if isinstance(data["image/png"], str)
            else base64.b64encode(data["image/png"]).decode("ascii")
        )
        return [f'<img alt="figure" src="data:image/png;base64,{png.strip()}">', ""]
    if "text/html" in data:
        return ['<div class="notebook-output" markdown="0">', data["text/html"], "</div>", ""]
    if "text/plain" in data:
        return ["```text", html.unescape(data["text/plain"]).rstrip(), "```", ""]
    return []
