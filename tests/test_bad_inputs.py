"""The bad-input corpus (tests/bad_inputs/cases.yaml): every case ends in its exit code and a
message naming the place and the fix; never a traceback, a hang, a bug report or a lost file.

Cases run in-process through the CLI's guard (``forecast.cli``), each under an alarm so a
hang fails the test instead of stalling the suite; a case with ``interrupt_after`` runs as a
real process that receives Ctrl-C (SIGINT) that many seconds after it starts; a case with
``isolated: true`` (those that could hang or exhaust memory: FIFOs, devices, zip bombs, huge
requests) runs as a real process limited to 1 GiB of address space and 30 s, so a regression fails
the test instead of taking the machine down.
"""

from __future__ import annotations

import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from forecast.cli import main
from forecast.results.ownership import MANIFEST

from .bad_inputs import mutate
from .conftest import CHINA, ROOT, as_from_a_shell

HERE = Path(__file__).parent / "bad_inputs"
CASES = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))
#: a case that has not ended by then hangs
SECONDS = 120
#: what an isolated case may use (issue 21: every hostile input ends within 30 s and 1 GiB)
ISOLATED_SECONDS, ISOLATED_MEMORY = 30, 2**30


class Hang(BaseException):
    """Raised by the alarm: not an Exception, so the CLI's guard cannot turn it into a message."""


def _alarm(signum, frame):
    raise Hang(f"no answer within {SECONDS} s")


def prepare(case: dict, tmp: Path) -> dict[str, str]:
    """Write the case's files into ``tmp``; return the tokens its argv and messages use."""
    tokens = {
        "$BUNDLE_SCENARIO": str(tmp / "bundle.yaml"),
        "$BASELINE": str(ROOT / "scenarios" / "baseline.yaml"),
        "$SCENARIO": str(tmp / "case.yaml"),
        "$HISTORY": str(tmp / "history.csv"),
        "$BUDGET": str(tmp / "budget.csv"),
        "$BUNDLE": str(tmp / "bundle"),
        "$CHINA": str(CHINA),
        "$LHASA": str(ROOT / "data" / "lhasa"),
        "$CSV": str(tmp / "actuals.csv"),
        "$OUT": str(tmp / "out"),
        "$TMP": str(tmp),
    }

    def fill(text: str) -> str:
        for token, value in tokens.items():  # longest first: $BUNDLE_SCENARIO before $BUNDLE
            text = text.replace(token, value)
        return text

    for key, name in (
        ("scenario", "case.yaml"),
        ("csv", "actuals.csv"),
        ("history", "history.csv"),
        ("budget", "budget.csv"),
    ):
        if key in case:
            (tmp / name).write_text(fill(case[key]), encoding="utf-8")
    if "files" in case:
        mutate.FILES[case["files"]](tmp, Path(tokens["$BASELINE"]))
    if "bundle" in case:
        shutil.copytree(CHINA, tmp / "bundle", symlinks=True)
        mutate.BUNDLES[case["bundle"]](tmp / "bundle")
        (tmp / "bundle.yaml").write_text(
            f"extends: {tokens['$BASELINE']}\ntitle: on a broken bundle\nregion: bundle\n", encoding="utf-8"
        )
    return {"fill": fill}


def run_in_process(argv: list[str], capsys) -> tuple[int, str]:
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(SECONDS)
    try:
        code = main(argv)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    captured = capsys.readouterr()
    return code, captured.err + captured.out


def run_interrupted(argv: list[str], after: float) -> tuple[int, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "forecast", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=as_from_a_shell,
    )
    time.sleep(after)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=SECONDS)
    return proc.returncode, err + out


def _limited():
    resource.setrlimit(resource.RLIMIT_AS, (ISOLATED_MEMORY, ISOLATED_MEMORY))


def run_isolated(argv: list[str]) -> tuple[int, str]:
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "forecast", *argv],
            capture_output=True,
            text=True,
            timeout=ISOLATED_SECONDS,
            preexec_fn=_limited,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"no answer within {ISOLATED_SECONDS} s")
    return proc.returncode, proc.stderr + proc.stdout


def test_the_corpus_holds_every_class_of_the_issue():
    assert len(CASES) >= 80
    assert len({c["id"] for c in CASES}) == len(CASES), "case ids are unique"
    kinds = {c["id"].split("-")[0] for c in CASES}
    assert {"scenario", "extends", "bundle", "execution", "draws", "seed", "backtest", "out", "approved"} <= kinds


def _case(case: dict):
    """A case as a test: slow (make test-fast leaves it out) when it runs as a real process (Ctrl-C,
    isolated), loads a copy of data/china (bundle) or runs the model before its check (slow)."""
    slow = case.get("isolated") or "interrupt_after" in case or "bundle" in case or case.get("slow")
    return pytest.param(case, id=case["id"], marks=[pytest.mark.slow] if slow else [])


@pytest.mark.parametrize("case", [_case(c) for c in CASES])
def test_bad_input(case, tmp_path, capsys):
    fill = prepare(case, tmp_path)["fill"]
    argv = [fill(str(a)) for a in case["argv"]]
    before = {p for p in tmp_path.rglob("*")}
    if "interrupt_after" in case:
        code, text = run_interrupted(argv, case["interrupt_after"])
    elif case.get("isolated"):
        code, text = run_isolated(argv)
    else:
        code, text = run_in_process(argv, capsys)
    assert "Traceback" not in text and "internal error" not in text, text
    assert code == case.get("exit", 2), (code, text)
    for fragment in case["message"]:
        assert fill(fragment) in text, (fragment, text)
    for fragment in case.get("absent", []):
        assert fill(fragment) not in text, (fragment, text)
    for name, content in case.get("keeps", {}).items():
        assert (tmp_path / name).read_text(encoding="utf-8").strip() == content, f"{name} was changed"
    left = [p for p in set(tmp_path.rglob("*")) - before if p.name.startswith(".") and p.name != MANIFEST]
    assert not left, f"temporary files left behind: {left}"
