"""Bundle mutations and generated files for the bad-input corpus (tests/bad_inputs/cases.yaml).

``BUNDLES[name](bundle)`` breaks a fresh copy of data/china in place, the way a user would;
``FILES[name](folder, baseline)`` writes files that cannot be written inline in cases.yaml
(NUL bytes, 10,000-deep nesting, 1,200-file extends chains, symbolic-link loops, big files).
Each function is a few lines on purpose: a case should be readable at a glance.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def rewrite(path: Path, change) -> None:
    """Apply ``change(row)`` (a dict, edited in place; return False to drop it) to each CSV row."""
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        if change(row) is not False:
            writer.writerow(row)
    path.write_text(out.getvalue(), encoding="utf-8")


def _set(column: str, value, where=lambda row: True):
    def change(row):
        if where(row):
            row[column] = value(row) if callable(value) else value

    return change


def _table_dropped(bundle: Path, name: str) -> None:
    """The table's file and its entry under 'files:' in region.yaml removed."""
    (bundle / f"{name}.csv").unlink()
    lines = (bundle / "region.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index(f"  {name}:\n")
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("    "))
    (bundle / "region.yaml").write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")


def _blank(line_start: str):
    """Blank the value of the fund_history.csv row that starts with ``line_start``."""

    def change(bundle: Path) -> None:
        rewrite(
            bundle / "fund_history.csv",
            _set("value", "", lambda r: ",".join([r["year"], r["pool"], r["account"], r["item"]]) == line_start),
        )

    return change


BUNDLES = {
    "no_outpatient_levels": lambda b: rewrite(
        b / "claim_sizes.csv", lambda row: not (row["service"] == "outpatient" and row["level"] != "all")
    ),
    "region_yaml_nul": lambda b: (b / "region.yaml").write_bytes(
        (b / "region.yaml").read_bytes().replace(b"level: national", b"level: nat\x00ional")
    ),
    "region_yaml_bad_date": lambda b: edit(
        b / "region.yaml", "population_date: 2020-11-01", "population_date: 2020-13-45"
    ),
    "region_yaml_gbk": lambda b: (b / "region.yaml").write_bytes(
        (b / "region.yaml").read_text(encoding="utf-8").encode("gbk")
    ),
    "region_yaml_list": lambda b: (b / "region.yaml").write_text("- name\n- level\n", encoding="utf-8"),
    "table_path_is_folder": lambda b: edit(b / "region.yaml", "path: insured.csv", "path: ."),
    "table_path_not_text": lambda b: edit(b / "region.yaml", "path: insured.csv", "path: [insured.csv]"),
    "table_path_symlink_loop": lambda b: (
        (b / "insured.csv").unlink(),
        os.symlink("loop_b.csv", b / "loop_a.csv"),
        os.symlink("loop_a.csv", b / "loop_b.csv"),
        edit(b / "region.yaml", "path: insured.csv", "path: loop_a.csv"),
    ),
    "csv_nul": lambda b: (b / "insured.csv").write_bytes(
        (b / "insured.csv").read_bytes().replace(b"2018,employee,all", b"2018,employee\x00,all")
    ),
    "csv_short_row": lambda b: edit(b / "insured.csv", "2018,employee,all,31681,万人", "2018,employee,all"),
    "csv_header_only": lambda b: (b / "financing.csv").write_text(
        "year,pool,parameter,value,unit,source,note\n", encoding="utf-8"
    ),
    "csv_too_big": lambda b: (b / "financing.csv").open("a", encoding="utf-8").write("#" * 51_000_000 + "\n"),
    "csv_value_nan": lambda b: edit(b / "base_population.csv", "male,1-4,34656922", "male,1-4,nan"),
    "csv_value_inf": lambda b: edit(b / "base_population.csv", "male,1-4,34656922", "male,1-4,inf"),
    "qx_all_one": lambda b: rewrite(b / "mortality.csv", _qx_one),
    "mx_open_zero": lambda b: rewrite(b / "mortality.csv", _set("value", "0", lambda r: r["age"] == "100+")),
    "one_person": lambda b: rewrite(
        b / "base_population.csv", _set("value", lambda r: "1" if (r["sex"], r["age"]) == ("male", "30-34") else "0")
    ),
    "no_women": lambda b: rewrite(b / "base_population.csv", _set("value", "0", lambda r: r["sex"] == "female")),
    "cost_curves_zero": lambda b: rewrite(b / "cost_curves.csv", _set("value", "0")),
    "fund_unit_slip": lambda b: edit(
        b / "fund_history.csv", "2024,resident,total,income,11180.91,亿元", "2024,resident,total,income,11180.91,万元"
    ),
    "fund_value_1e300": lambda b: edit(
        b / "fund_history.csv", "2024,employee,pooled_fund,income,17342.45", "2024,employee,pooled_fund,income,1e300"
    ),
    "insured_above_population": lambda b: rewrite(b / "insured.csv", _insured_times(3)),
    "resident_coverage_above_one": lambda b: edit(b / "insured.csv", "2024,resident,all,", "2024,resident,all,2"),
    "income_without_expenditure": lambda b: edit(
        b / "fund_history.csv", "2024,resident,total,expenditure,10661.49", "2024,resident,total,expenditure,0"
    ),
    "no_utilisation": lambda b: _table_dropped(b, "utilisation"),
    "tfr_zero": lambda b: rewrite(b / "total_fertility.csv", _set("value", "0", lambda r: int(r["year"]) >= 2020)),
    "fertility_zero": lambda b: rewrite(b / "fertility.csv", _set("value", "0")),
    "population_at_year_end": lambda b: (
        edit(b / "region.yaml", "population_date: 2020-11-01", "population_date: 2024-12-31"),
        edit(b / "region.yaml", "base_year: 2020", "base_year: 2024"),
    ),
    "population_datetime": lambda b: edit(
        b / "region.yaml", "population_date: 2020-11-01", "population_date: 2020-11-01T00:00:00"
    ),
    "population_date_quoted": lambda b: edit(
        b / "region.yaml", "population_date: 2020-11-01", 'population_date: "2020-11-01"'
    ),
    "base_year_not_the_census": lambda b: edit(b / "region.yaml", "base_year: 2020", "base_year: 2024"),
    "blank_pooled_income": _blank("2024,employee,pooled_fund,income"),
    "blank_ltci_income": _blank("2024,ltci,total,income"),
    "blank_resident_income": _blank("2024,resident,total,income"),
    "blank_maternity": _blank("2024,employee,maternity,expenditure"),
    "blank_assistance": _blank("2024,medical_assistance,total,expenditure"),
    "no_claim_sizes": lambda b: _table_dropped(b, "claim_sizes"),
    "table_is_dev_zero": lambda b: ((b / "insured.csv").unlink(), os.symlink("/dev/zero", b / "insured.csv")),
}


def _qx_one(row):
    row["value"], row["unit"], row["measure"] = "1", "ratio", "qx"


def _insured_times(factor: float):
    def change(row):
        if row["pool"] == "employee" and row["value"]:
            row["value"] = f"{float(row['value']) * factor:.2f}"

    return change


# ----------------------------------------------------------------------------- generated files


def _nul_scenario(folder: Path, baseline: Path) -> None:
    (folder / "case.yaml").write_bytes(f"extends: {baseline}\ntitle: t\n".encode() + b"description: a\x00b\n")


def _bell_scenario(folder: Path, baseline: Path) -> None:
    (folder / "case.yaml").write_text(f"extends: {baseline}\ntitle: t\ndescription: ring \x07 bell\n", encoding="utf-8")


def _gbk_scenario(folder: Path, baseline: Path) -> None:
    (folder / "case.yaml").write_bytes(f"extends: {baseline}\ntitle: 提高封顶线\n".encode("gbk"))


def _deep_lists(folder: Path, baseline: Path) -> None:
    (folder / "case.yaml").write_text(
        f"extends: {baseline}\ntitle: t\npolicy: " + "[" * 10_000 + "]" * 10_000 + "\n", encoding="utf-8"
    )


def _deep_mappings(folder: Path, baseline: Path) -> None:
    (folder / "case.yaml").write_text(
        f"extends: {baseline}\ntitle: t\npolicy: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n", encoding="utf-8"
    )


def _billion_laughs(folder: Path, baseline: Path) -> None:
    lines = [f"extends: {baseline}", "title: t", "policy:", "  resident:", '    a0: &a0 {x: "lol", y: "lol"}']
    for i in range(1, 30):
        lines.append(f"    a{i}: &a{i} {{p: *a{i - 1}, q: *a{i - 1}, r: *a{i - 1}}}")
    (folder / "case.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _long_extends_chain(folder: Path, baseline: Path) -> None:
    (folder / "c0.yaml").write_text(f"extends: {baseline}\ntitle: c0\n", encoding="utf-8")
    for i in range(1, 1_200):
        (folder / f"c{i}.yaml").write_text(f"extends: c{i - 1}.yaml\ntitle: c{i}\n", encoding="utf-8")
    os.replace(folder / "c1199.yaml", folder / "case.yaml")


def _symlink_loop(folder: Path, baseline: Path) -> None:
    os.symlink("loop_b.yaml", folder / "loop_a.yaml")
    os.symlink("loop_a.yaml", folder / "loop_b.yaml")


def _extends_symlink_loop(folder: Path, baseline: Path) -> None:
    _symlink_loop(folder, baseline)
    (folder / "case.yaml").write_text("extends: loop_a.yaml\ntitle: t\n", encoding="utf-8")


def _big_scenario(folder: Path, baseline: Path) -> None:
    (folder / "case.yaml").write_text(
        f"extends: {baseline}\ntitle: t\ndescription: '" + "x" * 3_000_000 + "'\n", encoding="utf-8"
    )


def _bundle_symlink_loop(folder: Path, baseline: Path) -> None:
    os.symlink("bundle_b", folder / "bundle_a")
    os.symlink("bundle_a", folder / "bundle_b")
    (folder / "case.yaml").write_text(f"extends: {baseline}\ntitle: t\nregion: bundle_a\n", encoding="utf-8")


def _gbk_csv(folder: Path, baseline: Path) -> None:
    (folder / "actuals.csv").write_bytes(
        "pool,month,income,expenditure,unit\nemployee,5,50686.38,29597.18,万元\n".encode("gbk")
    )


def _nul_csv(folder: Path, baseline: Path) -> None:
    (folder / "actuals.csv").write_bytes(b"pool,month,income,expenditure,unit\nemployee,5,506\x0086,29597,yuan\n")


def _execution_named_like_its_result(folder: Path, baseline: Path) -> None:
    (folder / "execution.csv").write_text(
        "pool,month,income,expenditure,unit\nemployee,5,50686.38,29597.18,万元\n", encoding="utf-8"
    )


def _folder_named_like_a_result(folder: Path, baseline: Path) -> None:
    (folder / "out" / "summary.csv").mkdir(parents=True)


def _dangling_out_link(folder: Path, baseline: Path) -> None:
    os.symlink(folder / "gone", folder / "out")


def _plus_in_file_name(folder: Path, baseline: Path) -> None:
    (folder / "a+b.yaml").write_text(f"extends: {baseline}\ntitle: a plus in the name\n", encoding="utf-8")


def _text_named_xlsx(folder: Path, baseline: Path) -> None:
    (folder / "budget.xlsx").write_text("pool,item,amount,unit\nemployee,收入合计,18000,亿元\n", encoding="utf-8")


def _workbook_without_pool_sheets(folder: Path, baseline: Path) -> None:
    from openpyxl import Workbook

    Workbook().save(folder / "budget.xlsx")


def _workbook_with_a_bad_cell(folder: Path, baseline: Path) -> None:
    from .hostile import pool_sheet

    (folder / "budget.xlsx").write_bytes(pool_sheet([["一、收入合计", None, 173424500, "一亿八千万"]]))


FILES = {
    "text_named_xlsx": _text_named_xlsx,
    "workbook_without_pool_sheets": _workbook_without_pool_sheets,
    "workbook_with_a_bad_cell": _workbook_with_a_bad_cell,
    "execution_named_like_its_result": _execution_named_like_its_result,
    "folder_named_like_a_result": _folder_named_like_a_result,
    "dangling_out_link": _dangling_out_link,
    "plus_in_file_name": _plus_in_file_name,
    "nul_scenario": _nul_scenario,
    "bell_scenario": _bell_scenario,
    "gbk_scenario": _gbk_scenario,
    "deep_lists": _deep_lists,
    "deep_mappings": _deep_mappings,
    "billion_laughs": _billion_laughs,
    "long_extends_chain": _long_extends_chain,
    "symlink_loop": _symlink_loop,
    "extends_symlink_loop": _extends_symlink_loop,
    "big_scenario": _big_scenario,
    "bundle_symlink_loop": _bundle_symlink_loop,
    "gbk_csv": _gbk_csv,
    "nul_csv": _nul_csv,
}

# the hostile-input classes of issue 21 (FIFOs, devices, workbooks, previous reports)
from .hostile import FILES as _HOSTILE_FILES  # noqa: E402

FILES.update(_HOSTILE_FILES)
