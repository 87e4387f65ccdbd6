"""The actuarial valuation report (``forecast report SCENARIO --out DIR``): one self-contained HTML
file in the structure of a valuation report (IAA ISAP 2; a 精算评估报告): 1 scope and provisions,
2 data and checks, 3 assumptions, 4 method, 5 results per pool, 6 uncertainty and sensitivity (with
``--draws N`` > 1), 7 reconciliation with the previous valuation (``--previous DIR``), 8 conclusion.

The figures come from the run and its accessor (:func:`forecast.run`, ``ds.fund``), the calibration
table, the uncertainty summary and the analysis of change; nothing is recomputed here. The report
embeds its charts (PNG as ``data:`` URIs) and its headline figures (JSON), so a later report can
reconcile with it (:mod:`forecast.apps.reconcile`). The HTML is laid out by a Jinja2 template,
:mod:`forecast.results.html`.
"""

from __future__ import annotations

from pathlib import Path

from ..inputs.region import load_region
from ..results import charts
from ..results.neutral import json_for_html
from ..results.report import calibration_table, fitted_lines
from ..vocabulary import POOL_NAMES_EN, POOL_NAMES_ZH
from .reconcile import headline_figures, reconciliation
from .sensitivity import policy_changes
from .valuation_findings import conclusion_context, money_text, results_context, uncertainty_context
from .valuation_solve import balance_context, warning_context

__all__ = ["valuation_context", "SECTIONS"]

SECTIONS = {
    "summary": ("", "摘要", "Executive summary"),
    "scope": ("1", "范围与制度", "Scope and provisions"),
    "data": ("2", "数据与核对", "Data and checks"),
    "assumptions": ("3", "假设", "Assumptions"),
    "method": ("4", "方法", "Method"),
    "results": ("5", "结果", "Results"),
    "uncertainty": ("6", "不确定性与敏感性", "Uncertainty and sensitivity"),
    "reconciliation": ("7", "与上次评估的调节", "Reconciliation with the previous valuation"),
    "conclusion": ("8", "结论", "Conclusion"),
    "reliance": ("9", "依赖与局限", "Reliance and limitations"),
    "appendix": ("附录", "", "Appendix"),
}


def _scope(ds, scenario) -> dict:
    pools = [
        {
            "id": str(p),
            "zh": POOL_NAMES_ZH[str(p)],
            "en": POOL_NAMES_EN[str(p)],
            "payg": bool(ds.fund.payg().sel(pool=p)),
        }
        for p in ds["pool"].values
    ]
    from ..results.provenance import place

    return {
        "title": scenario.title,
        "description": scenario.description,
        "files": [Path(f).name for f in scenario.files],
        "region": place(ds),
        "region_path": Path(str(ds.attrs.get("region_path", ""))).name,
        "base_year": int(ds.attrs["base_year"]),
        "horizon": int(ds["year"].values[-1]),
        "pools": pools,
        "sources": list(ds.attrs.get("scenario_sources", scenario.sources)),
        "changes": [f"{p} = {_text(scenario.params[p])}" for p in policy_changes(scenario)],
    }


def _text(value) -> str:
    return value.describe() if hasattr(value, "describe") else str(value)


def _data(ds) -> dict:
    from ..results.provenance import PROVENANCE_ZH

    region = load_region(ds.attrs["region_path"])
    sources = region.metadata.get("sources", {})
    files = [
        {
            "table": name,
            "file": spec["path"],
            "sources": "; ".join(f"{sid}: {sources.get(sid, {}).get('title', sid)}" for sid in spec.get("sources", [])),
        }
        for name, spec in region.files.items()
    ]
    table = calibration_table(ds)
    checks = [
        {
            "figure": name,
            "model": f"{row.model:,.2f}",
            "published": "—" if row.published != row.published else f"{row.published:,.2f}",
            "difference": "—" if row.difference != row.difference else f"{row.difference:+.2%}",
            "provenance": PROVENANCE_ZH.get(row.provenance, "—"),
        }
        for name, row in table.iterrows()
    ]
    return {
        "region": region.name,
        "description": region.metadata.get("description", ""),
        "files": files,
        "checks": checks,
    }


def _assumptions(ds, scenario) -> dict:
    """The assumptions in plain Chinese (as the budget workbook's 假设 sheet), each with its value in
    the first projected year, 2030 and 2050, how it is set and its source."""
    from ..results.workbook import UNITS_ZH
    from .budget_notes import assumption_rows

    base, horizon = int(ds.attrs["base_year"]), int(ds["year"].values[-1])
    years = [y for y in dict.fromkeys((base + 1, 2030, 2050)) if base < y <= horizon]
    by_year = {y: assumption_rows(ds, scenario, y) for y in years}
    rows = []
    for i, row in enumerate(by_year[years[0]]):
        if row["category"] == "政策依据":
            continue
        values = [_shown(by_year[y][i]["value"], row["unit"]) for y in years]
        rows.append(
            {
                "category": row["category"],
                "name": row["name"],
                "values": values,
                "unit": UNITS_ZH.get(row["unit"], row["unit"]),
                "written": row["written"],
                "source": row["source"],
            }
        )
    demography = [f"{k} = {v}" for k, v in sorted(vars(scenario.population).items())]
    fitted = [line.strip() for line in fitted_lines(ds.attrs.get("fitted_growth", {}), base)[1:]]
    return {
        "years": years,
        "rows": rows,
        "demography": demography,
        "fitted": fitted,
        "extended": len(ds.attrs.get("extended_values", []) or []),
    }


def _shown(value, unit: str) -> str:
    if value is None or value != value:
        return "—"
    return f"{value:.2%}" if unit == "ratio" else f"{value:,.2f}"


def _method(ds) -> dict:
    t = ds.attrs["verdict_thresholds"]
    return {
        "thresholds": t,
        "claim_model": str(ds.attrs.get("claim_model", "")),
        "draws": int(ds.sizes["draw"]) if "draw" in ds.dims else None,
        "seed": ds.attrs.get("seed"),
        "drivers": sorted(ds.attrs.get("drivers", {})),
        "version": ds.attrs.get("forecast_version", ""),
    }


def _reconciliation(previous, ds, scenario) -> dict | None:
    if previous is None:
        return None

    rec = reconciliation(previous, ds, scenario)

    def shown(row, key):
        value = row.get(key)
        if value is None or value != value:
            return "—"
        return (
            money_text(value)
            if row["unit"] == "yuan"
            else f"{value:+.0f}"
            if key not in ("previous", "current")
            else f"{value:.0f}"
        )

    keys = (
        "previous",
        "current",
        "change",
        *rec["steps"],
        *(("median_of_draws",) if rec["draws_step"] else ()),
        *(("not_reproduced",) if rec["steps"] else ()),
    )
    rows = [
        {
            "pool": r["pool"],
            "metric": r["metric"] + (" (亿元)" if r["unit"] == "yuan" else ""),
            "values": [shown(r, k) for k in keys],
        }
        for r in rec["rows"]
    ]
    return {
        "previous_title": previous.get("scenario_title", ""),
        "previous_files": [Path(f).name for f in previous.get("scenario_files", [])],
        "columns": keys,
        "rows": rows,
        "notes": rec["notes"],
    }


def valuation_context(ds, scenario, previous=None, tornado=None, balance=None, author=None, reviewer=None) -> dict:
    """Everything the template shows, as text and numbers (no HTML), with the charts as PNG bytes;
    ``balance``: the solver's subsection (:func:`forecast.apps.valuation_solve.balance_context`);
    ``author``, ``reviewer``: the cover's names (blank lines to sign where not given)."""
    from ..results.review import hint_lines, run_hints
    from .valuation_text import appendix_context, cover_context, reliance_context, summary_context

    figures = {**charts.main_charts(ds)}
    if tornado is not None:
        figures["tornado.png"] = charts.tornado_chart(tornado, charts.run_context(ds))
    results = results_context(ds)
    context = {
        "title": scenario.title,
        "scope": _scope(ds, scenario),
        "data": _data(ds),
        "assumptions": _assumptions(ds, scenario),
        "method": _method(ds),
        "results": results,
        "uncertainty": uncertainty_context(ds, tornado),
        "reconciliation": _reconciliation(previous, ds, scenario),
        "conclusion": conclusion_context(ds, results),
        "warnings": warning_context(ds),
        "balance": balance or balance_context(ds, scenario, False),
        "charts": {name: charts.png_bytes(fig) for name, fig in figures.items()},
        "headline": json_for_html(headline_figures(ds)),
    }
    hints = hint_lines(run_hints(ds))
    context.update(
        cover=cover_context(ds, scenario, author, reviewer),
        summary=summary_context(ds, context["conclusion"], hints),
        reliance=reliance_context(ds, hints),
        appendix=appendix_context(ds, scenario),
    )
    context["sections"] = {
        key: SECTIONS[key] for key in SECTIONS if context.get(key) is not None or key in ("scope", "data", "method")
    }
    return context
