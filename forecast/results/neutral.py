"""Text that is safe where results are handed on: spreadsheets, YAML overlays, HTML pages.

A budget office opens budget.xlsx and the CSV tables in Excel or WPS, a colleague overlays
``solved.yaml`` on a scenario, a reviewer opens report.html in a browser. Text from the inputs (a
region's name, a scenario's title, a source, a folder name) reaches all of them, so every writer
goes through this module:

- **CSV** (:func:`csv_cell`, :func:`neutral_frame`): a text cell beginning with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return is what a spreadsheet takes for a formula; it is written with a
  leading ``'`` (OWASP, "CSV Injection"). Numbers stay numbers, and text that is a plain number
  (``-5``) is left as it is.
- **xlsx** (:func:`text_cell`): every text cell is stored as an inline string, never a formula or an
  error value, whatever it begins with.
- **YAML** (:func:`yaml_text`): written by PyYAML's emitter (quoted where needed), never by string
  formatting, so any text reads back unchanged.
- **JSON inside HTML** (:func:`json_for_html`): ``<``, ``>``, ``&`` and U+2028/U+2029 escaped, so no
  text can close the ``<script>`` block or open a comment in it.

>>> csv_cell('=HYPERLINK("http://x")'), csv_cell("-5"), csv_cell("职工医保")
('\\'=HYPERLINK("http://x")', '-5', '职工医保')
>>> json_for_html({"title": "</script><!--"})
'{"title": "\\\\u003c/script\\\\u003e\\\\u003c!--"}'
"""

from __future__ import annotations

import json
import re

import pandas as pd
import yaml

__all__ = ["FORMULA_START", "csv_cell", "neutral_frame", "text_cell", "yaml_text", "json_for_html"]

#: what a spreadsheet reads as the start of a formula (OWASP: =, +, -, @, tab, carriage return)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def csv_cell(value):
    """``value`` as a CSV cell that no spreadsheet evaluates: text starting like a formula gets a
    leading ``'``; anything that is not text, and text that is a plain number, is left as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def _label(value):
    """A column or index label: text neutralised, tuples (MultiIndex columns) part by part."""
    if isinstance(value, tuple):
        return tuple(csv_cell(v) for v in value)
    return csv_cell(value)


def _text_like(values) -> bool:
    return (
        values.dtype == object
        or isinstance(values.dtype, pd.StringDtype)
        or isinstance(values.dtype, pd.CategoricalDtype)
    )


def neutral_frame(frame):
    """A copy of ``frame`` whose text cells, index labels and column names are :func:`csv_cell`."""
    out = frame.copy()
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if _text_like(column):
            out.isetitem(i, column.astype(object).map(csv_cell))
    out.columns = out.columns.map(_label)
    if isinstance(out.index, pd.MultiIndex):
        out.index = out.index.set_levels(
            [level.map(csv_cell) if _text_like(level) else level for level in out.index.levels]
        )
    elif _text_like(out.index):
        out.index = out.index.map(csv_cell)
    return out


def text_cell(cell) -> None:
    """Store an openpyxl cell holding text as an inline string: never a formula (``=...``) or an
    error value (``#N/A``), whatever the text begins with."""
    if isinstance(cell.value, str):
        cell.data_type = "s"


def yaml_text(data) -> str:
    """``data`` (mappings, lists, text, numbers) as YAML written by the emitter: every text quoted
    as it needs, so a title with ``: ``, ``#``, quotes or new lines reads back as it was."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=4096, default_flow_style=None)


def json_for_html(data) -> str:
    """``data`` as JSON to embed in an HTML ``<script type="application/json">`` block: ``<``,
    ``>``, ``&`` and the line separators U+2028/U+2029 written as ``\\uXXXX`` escapes (the JSON
    reads back the same)."""
    text = json.dumps(data, ensure_ascii=False)
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text
