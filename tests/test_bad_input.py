"""Bad input of every kind ends in one paragraph naming the place and the fix, exit code 2.

Each case breaks a copy of data/china the way a user would, runs ``forecast validate`` and checks
the message names the file, the line and the field, and that no traceback is shown.
"""

from __future__ import annotations

import re

import pytest

from forecast.cli import main


def edit(path, old, new, count=1):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def delete_line(path, startswith):
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith(startswith))
    del lines[index]
    path.write_text("".join(lines), encoding="utf-8")
    return index + 1


def with_thousands_separator(path):
    """Write line 2's value as Excel would show it: "6,988,330"."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = lines[1].split(",")
    fields[2] = f'"{int(fields[2]):,}"'
    lines[1] = ",".join(fields)
    path.write_text("".join(lines), encoding="utf-8")


def with_months_column(path, line2):
    """Add a trailing 'months' column: 12 everywhere, ``line2`` on line 2."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out = [lines[0] + ",months"] + [line + "," + (line2 if i == 0 else "12") for i, line in enumerate(lines[1:])]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def validate(bundle, capsys) -> str:
    code = main(["validate", str(bundle)])
    out = capsys.readouterr()
    assert code == 2, out
    assert "Traceback" not in out.err + out.out
    return out.err


CASES = {
    "missing file": (lambda b: (b / "fund_history.csv").unlink(), ["fund_history.csv", "file not found"]),
    "missing column": (
        lambda b: edit(b / "insured.csv", "status,value,unit", "status,valeu,unit"),
        ["insured.csv", "line 1", "missing column 'value'", "rename 'valeu'"],
    ),
    "non-numeric": (
        lambda b: edit(b / "base_population.csv", "male,10-14,45", "male,10-14,x45"),
        ["base_population.csv", "field 'value'", "not a number"],
    ),
    "negative count": (
        lambda b: edit(b / "base_population.csv", "female,20-24,", "female,20-24,-"),
        ["base_population.csv", "line 13", "cannot be negative"],
    ),
    "ratio written as percent": (
        lambda b: edit(b / "financing.csv", "employer_rate,0.06", "employer_rate,6"),
        ["financing.csv", "field 'value'", "write 0.06"],
    ),
    "percent sign": (
        lambda b: edit(b / "financing.csv", "employee_rate,0.02", "employee_rate,2%"),
        ["financing.csv", "0.65, not 65%"],
    ),
    "thousands separator": (
        lambda b: with_thousands_separator(b / "base_population.csv"),
        ["base_population.csv", "line 2", "thousands separators"],
    ),
    "year gap": (
        lambda b: delete_line(b / "insured.csv", "2020,employee,all"),
        ["insured.csv", "year gap for pool=employee, status=all: 2019 is followed by 2021", "leave its value empty"],
    ),
    "duplicate row": (
        lambda b: edit(b / "sex_ratio_at_birth.csv", "1951,", "1950,"),
        ["sex_ratio_at_birth.csv", "duplicate rows", "keep one row"],
    ),
    "unknown pool": (
        lambda b: edit(b / "insured.csv", "2018,employee,all", "2018,employe,all"),
        ["insured.csv", "line 2", "field 'pool'", "did you mean 'employee'"],
    ),
    "unknown sex": (
        lambda b: edit(b / "base_population.csv", "female,0,", "F,0,"),
        ["base_population.csv", "line 3", "field 'sex'", "unknown sex"],
    ),
    "mismatched unit": (
        lambda b: edit(b / "fund_history.csv", "亿元", "万人"),
        ["fund_history.csv", "line 2", "field 'unit'", "unit does not fit"],
    ),
    "age gap": (
        lambda b: delete_line(b / "base_population.csv", "male,5-9"),
        ["base_population.csv", "age gap for sex=male between group 1-4 and group 10-14"],
    ),
    "open group not last": (
        lambda b: edit(b / "disability_prevalence.csv", "male,60-64", "male,60+"),
        ["disability_prevalence.csv", "open age group 60+"],
    ),
    "period overlap": (
        lambda b: edit(b / "sex_ratio_at_birth.csv", "1951,", "1951-1952,"),
        ["sex_ratio_at_birth.csv", "period overlap"],
    ),
    "missing sex": (
        lambda b: [delete_line(b / "base_population.csv", "female") for _ in range(22)],
        ["base_population.csv", "no rows for sex=female"],
    ),
    "unknown source id": (
        lambda b: edit(b / "insured.csv", "S2018B", "S2018X"),
        ["insured.csv", "line 2", "unknown source id 'S2018X'"],
    ),
    "duplicate yaml key": (
        lambda b: edit(b / "region.yaml", "level: national\n", "level: national\nlevel: province\n"),
        ["region.yaml", "line 5", "duplicate key 'level'"],
    ),
    "unknown yaml key": (
        lambda b: edit(b / "region.yaml", "name:", "nmae:"),
        ["region.yaml", "unknown key 'nmae'", "did you mean 'name'"],
    ),
    "yaml syntax": (
        lambda b: edit(b / "region.yaml", "level: national", "level: [national"),
        ["region.yaml", "YAML syntax error"],
    ),
    "table cites nothing": (
        lambda b: edit(
            b / "region.yaml",
            "  mortality:\n    path: mortality.csv\n    sources:\n    - WPP2024\n",
            "  mortality:\n    path: mortality.csv\n",
        ),
        ["region.yaml", "table 'mortality' cites no source"],
    ),
    "missing region.yaml": (lambda b: (b / "region.yaml").unlink(), ["region.yaml", "file not found"]),
    "months out of range": (
        lambda b: with_months_column(b / "fund_history.csv", line2="13"),
        ["fund_history.csv", "line 2", "field 'months'", "from 1 to 12"],
    ),
    "empty file": (
        lambda b: (b / "financing.csv").write_text("", encoding="utf-8"),
        ["financing.csv", "the file is empty"],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_ends_in_a_clear_message_and_exit_2(case, bundle, capsys):
    breaker, expected = CASES[case]
    breaker(bundle)
    message = validate(bundle, capsys)
    for fragment in expected:
        assert fragment in message, (fragment, message)


def test_gbk_encoded_csv_is_named_with_the_fix(bundle, capsys):
    path = bundle / "insured.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    message = validate(bundle, capsys)
    assert "insured.csv" in message and "CSV UTF-8" in message


def test_every_message_names_the_place_and_a_fix(bundle, capsys):
    edit(bundle / "financing.csv", "employer_rate,0.06", "employer_rate,6")
    message = validate(bundle, capsys)
    assert re.search(r"financing\.csv, line \d+, field 'value': .+ Fix: .+", message)


def test_valid_bundle_exits_0(capsys):
    from .conftest import CHINA

    assert main(["validate", str(CHINA)]) == 0
    assert "OK" in capsys.readouterr().out


def test_nonexistent_folder(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope")]) == 2
    assert "no such folder" in capsys.readouterr().err
