"""The valuation report as one self-contained HTML page (Jinja2; the template is package data in
``forecast/results/templates``): charts embedded as base64 PNG ``data:`` URIs, styles inline, no
script and no external resource, so the file can be mailed, archived and opened offline."""

from __future__ import annotations

import base64

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

__all__ = ["render_report", "data_uri"]


def data_uri(png: bytes) -> str:
    """A PNG as a ``data:`` URI for an ``img`` element."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def render_report(context: dict) -> str:
    """The report's HTML from :func:`forecast.apps.valuation.valuation_context`."""
    env = Environment(
        loader=PackageLoader("forecast.results", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["data_uri"] = data_uri
    return env.get_template("valuation.html.j2").render(**context)
