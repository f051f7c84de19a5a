"""Reliability tests: markers, the ``soak`` opt-in, a sync/async ``runner`` fixture and the figures file.

* ``@pytest.mark.scenario("<key>")`` ties a test to a scenario of ``reliability_registry.py``.
* ``@pytest.mark.soak`` tests are deselected unless the marker expression names ``soak``
  (``pytest tests/reliability -m soak``) or ``THREADRUNS_SOAK=1`` is set.
* At the end of the session the figures the tests measured, and how many cases of each area passed,
  are merged into the JSON at ``reliability_kit.figures_path()`` (``$THREADRUNS_RELIABILITY_FIGURES``,
  else ``<tempdir>/threadruns-reliability/figures.json``) for ``scripts/reliability_report.py``.
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Iterator

import pytest
from reliability_kit import FIGURES, Runner, figures_path

_SOAK_ENV = "THREADRUNS_SOAK"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "scenario(*keys): the reliability scenario(s) this test proves")
    config.addinivalue_line("markers", "soak: long reliability runs, deselected unless -m soak or THREADRUNS_SOAK=1")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    wanted = "soak" in (config.getoption("markexpr", "") or "") or os.environ.get(_SOAK_ENV) == "1"
    if wanted:
        return
    soak = [item for item in items if item.get_closest_marker("soak") is not None]
    if soak:
        config.hook.pytest_deselected(items=soak)
        items[:] = [item for item in items if item.get_closest_marker("soak") is None]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report: pytest.TestReport = yield
    marker = item.get_closest_marker("scenario")
    if marker is not None and report.when == "call":
        if report.passed and item.get_closest_marker("soak") is not None:
            FIGURES.add("cases.soak")
        elif report.passed:
            for area in sorted({str(key).split(".", 1)[0] for key in marker.args}):
                FIGURES.add(f"cases.{area}")
        elif hasattr(report, "wasxfail"):
            FIGURES.add("cases.xfailed")
    return report


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    figures = FIGURES.snapshot()
    if not figures:
        return
    path = figures_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Figures of earlier sessions stay unless this one measured them again (a soak run adds to a full run).
    try:
        previous = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = {}
    if not isinstance(previous, dict):
        previous = {}
    label = "soak" if any(name == "cases.soak" for name in figures) else "main"
    session = {
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "exit_status": int(exitstatus),
    }
    document = {
        "sessions": {**previous.get("sessions", {}), label: session},
        "figures": {**previous.get("figures", {}), **figures},
    }
    path.write_text(json.dumps(document, indent=1, sort_keys=True, default=str) + "\n", encoding="utf-8")


@pytest.fixture(params=["sync", "async"])
def runner(request: pytest.FixtureRequest) -> Iterator[Runner]:
    """A sync or async runner; its clients and event loop are closed after the test."""
    drv = Runner(request.param)
    try:
        yield drv
    finally:
        drv.close()


@pytest.fixture(autouse=True)
def _clean_openai_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test depends on the caller's OPENAI_* environment."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID"):
        monkeypatch.delenv(name, raising=False)
