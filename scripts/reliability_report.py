"""Render docs/reliability.md from the reliability tests, so the page cannot drift from them.

Sources:

* ``tests/reliability/reliability_registry.py``: the scenarios (key, scenario, expected outcome), grouped
  by area, and the names of the figures the tests measure;
* the test files ``tests/reliability/test_reliability_*.py``, read with ``ast`` (not imported): which test
  functions carry ``@pytest.mark.scenario("<key>")``, and which are ``xfail(strict=True, reason="bug: ...")``;
* the figures JSON the last test session wrote (``$THREADRUNS_RELIABILITY_FIGURES``, else
  ``<tempdir>/threadruns-reliability/figures.json``). Without one, the figures already on the page are kept.

Usage::

    .venv/bin/python -m pytest tests/reliability -q      # runs the tests, writes the figures
    .venv/bin/python scripts/reliability_report.py        # rewrites docs/reliability.md
    .venv/bin/python scripts/reliability_report.py --check  # exit 1 if the page's tables are stale

``tests/reliability/test_reliability_docs.py`` runs the same comparison as ``--check``.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests" / "reliability"
DOC = ROOT / "docs" / "reliability.md"
REGISTRY = TESTS / "reliability_registry.py"
BLOCKS = ("scenarios", "bugs", "figures")


def figures_path() -> Path:
    configured = os.environ.get("THREADRUNS_RELIABILITY_FIGURES")
    if configured:
        return Path(configured)
    return Path(tempfile.gettempdir()) / "threadruns-reliability" / "figures.json"


def load_registry() -> ModuleType:
    """The registry module (the one pytest already imported, if any)."""
    loaded = sys.modules.get("reliability_registry")
    if loaded is not None and Path(str(loaded.__file__)).resolve() == REGISTRY:
        return loaded
    spec = importlib.util.spec_from_file_location("reliability_registry", REGISTRY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["reliability_registry"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


# ----------------------------------------------------------------------------- reading the tests


@dataclass(frozen=True)
class ScannedTest:
    """One test function of the reliability folder, as read from its source."""

    file: str
    name: str
    scenarios: tuple[str, ...]
    xfail: tuple[tuple[bool, str], ...]  # (strict, reason) of each xfail mark

    @property
    def node(self) -> str:
        return f"{self.file}::{self.name}"


def _mark_name(call: ast.Call) -> str | None:
    """``scenario`` for ``pytest.mark.scenario(...)``."""
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute) and func.value.attr == "mark":
        return func.attr
    return None


def _literal(node: ast.AST) -> Any:
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def scan_tests(folder: Path = TESTS) -> list[ScannedTest]:
    """Every ``test_*`` function of ``test_reliability_*.py`` with its scenario keys and xfail marks."""
    found: list[ScannedTest] = []
    for path in sorted(folder.glob("test_reliability_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or not node.name.startswith("test_"):
                continue
            scenarios: list[str] = []
            xfails: list[tuple[bool, str]] = []
            for decorator in node.decorator_list:
                for call in (n for n in ast.walk(decorator) if isinstance(n, ast.Call)):
                    name = _mark_name(call)
                    if name == "scenario":
                        scenarios += [str(_literal(arg)) for arg in call.args]
                    elif name == "xfail":
                        keywords = {kw.arg: _literal(kw.value) for kw in call.keywords if kw.arg}
                        xfails.append((keywords.get("strict") is True, str(keywords.get("reason") or "")))
            found.append(ScannedTest(path.name, node.name, tuple(scenarios), tuple(xfails)))
    return found


# ----------------------------------------------------------------------------- rendering


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_scenarios(registry: ModuleType, tests: list[ScannedTest]) -> str:
    by_key: dict[str, list[str]] = {}
    for test in tests:
        for key in test.scenarios:
            by_key.setdefault(key, []).append(test.node)
    lines: list[str] = []
    for area in registry.AREAS:
        lines += [f"### {area.title}", "", area.intro, ""]
        lines += ["| Key | Scenario | Expected outcome | Test(s) |", "|---|---|---|---|"]
        for scenario in area.scenarios:
            nodes = "<br>".join(f"`{node}`" for node in by_key.get(scenario.key, [])) or "**none**"
            lines.append(f"| `{scenario.key}` | {_cell(scenario.scenario)} | {_cell(scenario.expected)} | {nodes} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_bugs(tests: list[ScannedTest]) -> str:
    rows = [
        (test, reason.removeprefix("bug:").strip())
        for test in tests
        for strict, reason in test.xfail
        if strict and reason.startswith("bug:")
    ]
    if not rows:
        return "None: no test is marked as failing on a known bug.\n"
    lines = [
        "Each is a test marked `xfail(strict=True)`: it fails today for the reason given, and will fail the",
        "suite (XPASS strict) the day the bug is fixed, so the mark has to be removed with the fix.",
        "",
        "| Test | Scenario | Bug |",
        "|---|---|---|",
    ]
    for test, reason in rows:
        keys = ", ".join(f"`{key}`" for key in test.scenarios)
        lines.append(f"| `{test.node}` | {keys} | {_cell(reason)} |")
    return "\n".join(lines) + "\n"


def _value(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_value(item)}" for key, item in value.items()) or "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def render_figures(registry: ModuleType, document: dict[str, Any]) -> str:
    figures: dict[str, Any] = document.get("figures", {})
    sessions: dict[str, Any] = document.get("sessions", {})
    runs = []
    for label, session in sorted(sessions.items()):
        status = session.get("exit_status")
        outcome = "all passed" if status == 0 else f"exit status {status}"
        runs.append(
            f"{label} run {session.get('measured_at', '?')}, Python {session.get('python', '?')}, "
            f"{session.get('cpus', '?')} CPUs, {outcome}"
        )
    preamble = (
        f"Measured by the tests ({'; '.join(runs) or 'no session recorded'}). The embedded server runs in "
        "the test process, so client and server share one interpreter (and its GIL). Regenerate with "
        "`pytest tests/reliability` (and `-m soak`), then `scripts/reliability_report.py`."
    )
    return _figures_table(registry, preamble, {name: _cell(_value(value)) for name, value in figures.items()})


_ROW = re.compile(r"^\| `([^`]+)` \| (.*) \| (.*) \|$")


def refresh_figures(registry: ModuleType, block: str | None) -> str:
    """The figures already on the page, re-laid out for the current registry (new names: not measured)."""
    lines = (block or "").splitlines()
    preamble = lines[0] if lines and not lines[0].startswith("|") else "Not measured yet."
    values = {match[1]: match[2] for match in map(_ROW.match, lines) if match}
    return _figures_table(registry, preamble, values)


def _figures_table(registry: ModuleType, preamble: str, values: dict[str, str]) -> str:
    lines = [preamble, "", "| Figure | Value | What it is |", "|---|---|---|"]
    for name, meaning in registry.FIGURES.items():
        lines.append(f"| `{name}` | {values.get(name, 'not measured')} | {_cell(meaning)} |")
    for name in sorted(set(values) - set(registry.FIGURES)):
        lines.append(f"| `{name}` | {values[name]} | (detail) |")
    return "\n".join(lines) + "\n"


HEADER = """# Reliability

<!-- Generated by scripts/reliability_report.py from tests/reliability: do not edit by hand.
     The scenario and bug tables are checked by tests/reliability/test_reliability_docs.py. -->

What threadruns promises under faults, bad input and load, and the test that proves each promise.
Every test named here can fail: a scenario passes only when the client ends in a success after retries
or in exactly the listed `threadruns` error, within a time bound, with nothing lost and no secret shown.

Run it: `.venv/bin/python -m pytest tests/reliability -q` (about two minutes on two cores). The
10 000-request file-descriptor soak is deselected by default: `.venv/bin/python -m pytest
tests/reliability -m soak` (or `THREADRUNS_SOAK=1`). Hypothesis and schemathesis run derandomized, so every
run generates the same cases.
"""


def block(name: str, body: str) -> str:
    return f"<!-- {name}:begin -->\n{body.rstrip()}\n<!-- {name}:end -->"


def extract(text: str, name: str) -> str | None:
    start, end = f"<!-- {name}:begin -->\n", f"\n<!-- {name}:end -->"
    if start not in text or end not in text:
        return None
    return text.split(start, 1)[1].split(end, 1)[0].rstrip() + "\n"


def render(registry: ModuleType, tests: list[ScannedTest], figures_block: str) -> str:
    parts = [
        HEADER,
        "## Scenarios\n",
        block("scenarios", render_scenarios(registry, tests)),
        "\n## Known bugs\n",
        block("bugs", render_bugs(tests)),
        "\n## Measured figures\n",
        block("figures", figures_block),
    ]
    return "\n".join(parts).rstrip() + "\n"


def load_figures(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def stale_blocks(doc_text: str, registry: ModuleType, tests: list[ScannedTest]) -> list[str]:
    """Names of the page's checked blocks that differ from what the tests say now."""
    expected = {"scenarios": render_scenarios(registry, tests), "bugs": render_bugs(tests)}
    return [name for name, body in expected.items() if extract(doc_text, name) != body.rstrip() + "\n"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", type=Path, default=None, help="figures JSON (default: the tests' path)")
    parser.add_argument("--output", type=Path, default=DOC)
    parser.add_argument("--check", action="store_true", help="only check that the tables are current")
    args = parser.parse_args(argv)
    registry = load_registry()
    tests = scan_tests()
    existing = args.output.read_text(encoding="utf-8") if args.output.is_file() else ""
    if args.check:
        stale = stale_blocks(existing, registry, tests)
        if stale:
            print(f"{args.output}: stale {', '.join(stale)}; run scripts/reliability_report.py", file=sys.stderr)
            return 1
        return 0
    document = load_figures(args.figures or figures_path())
    if document is not None:
        figures_block = render_figures(registry, document)
    else:
        figures_block = refresh_figures(registry, extract(existing, "figures"))
        print("no figures file: keeping the figures already on the page", file=sys.stderr)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(registry, tests, figures_block), encoding="utf-8")
    print(f"wrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
