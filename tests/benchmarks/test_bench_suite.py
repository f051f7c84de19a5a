"""The benchmark suite's own logic: verdicts against targets, the notes it copies, and a short real run.

``make bench`` is not part of ``make test`` (its figures need a quiet machine), but the code that
turns samples into verdicts and the report must keep working from a fresh clone.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"


@pytest.fixture(scope="module")
def bench_run() -> ModuleType:
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    return importlib.import_module("run")


def _case(bench_run: ModuleType, key: str) -> object:
    return next(case for case in bench_run.CASES if case.key == key)


@pytest.mark.parametrize(
    ("key", "ratio", "verdict"),
    [
        ("parse", 0.45, "yes"),  # ceiling 0.6x, far below it
        ("parse", 0.59, "yes, narrowly"),  # within 3 % of the ceiling
        ("parse", 0.61, "**no**"),
        ("create", 1.00, "yes"),  # floor 0.95x
        ("create", 0.96, "yes, narrowly"),
        ("create", 0.94, "**no**"),
    ],
)
def test_verdict_against_target(bench_run: ModuleType, key: str, ratio: float, verdict: str) -> None:
    case = _case(bench_run, key)
    # The verdict is taken on the median of the per-round ratios, not on the best or the last round.
    assert bench_run.met(case, [ratio - 0.3, ratio, ratio + 0.3]) == verdict


def test_no_samples_is_not_a_verdict(bench_run: ModuleType) -> None:
    assert bench_run.met(_case(bench_run, "walk"), []) == "n/a"


def test_every_case_has_profile_notes(bench_run: ModuleType) -> None:
    text = (BENCH / "analysis.md").read_text(encoding="utf-8")
    sections = {line[3:].strip() for line in text.splitlines() if line.startswith("## ")}
    assert set(bench_run.CASE_KEYS) <= sections


def test_notes_copied_for_missed_and_narrow_targets_only(bench_run: ModuleType) -> None:
    def result(key: str, ratio: float) -> object:
        res = bench_run.Result(_case(bench_run, key))
        res.ratios["threadruns"] = [ratio]
        return res

    lines = bench_run.not_met_analysis([result("parse", 0.4), result("walk", 1.6), result("create", 0.96)])
    text = "\n".join(lines)
    assert "### walk 1000 runs (pages of 100) (not met)" in text
    assert "### POST create a run (met narrowly)" in text
    assert "parse a 100-run list page" not in text
    assert not bench_run.not_met_analysis([result("parse", 0.4)])


def test_quick_run_prints_the_table() -> None:
    """A real two-round pass over an in-process case and an HTTP case, against the loopback server."""
    proc = subprocess.run(
        [
            sys.executable,
            str(BENCH / "run.py"),
            "--quick",
            "--rounds",
            "2",
            "--case",
            "parse",
            "--case",
            "create",
            "--no-write",
        ],
        capture_output=True,
        text=True,
        timeout=90,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = [
        line
        for line in proc.stdout.splitlines()
        if line.startswith("| parse a 100-run") or line.startswith("| POST create a run")
    ]
    main_rows = [row for row in rows if "≤" in row or "≥" in row]
    assert len(main_rows) == 2, proc.stdout
    for row in main_rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[4].endswith("]") and "x [" in cells[4], row  # "1.98x [1.90, 2.05]"
        assert float(cells[4].split("x")[0]) > 0
        assert cells[6] in ("yes", "yes, narrowly", "**no**")
