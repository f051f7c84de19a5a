"""docs/reliability.md, the scenario registry and the tests agree: nothing promised without a test, no test
outside the registry, no stale table, every known-bug mark strict and explained."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import reliability_registry as registry

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))

import reliability_report as report  # noqa: E402

TESTS = report.scan_tests()
DOC_TEXT = report.DOC.read_text(encoding="utf-8") if report.DOC.is_file() else ""


def test_registry_keys_are_unique_and_belong_to_their_area() -> None:
    keys = [scenario.key for scenario in registry.SCENARIOS]
    assert len(keys) == len(set(keys)), "a scenario key is used twice"
    for area in registry.AREAS:
        for scenario in area.scenarios:
            assert scenario.key.startswith(area.key + "."), scenario.key
            assert scenario.scenario.strip() and scenario.expected.strip(), scenario.key


def test_every_scenario_has_a_test_and_every_test_a_scenario() -> None:
    marked = {key for test in TESTS for key in test.scenarios}
    assert registry.KEYS - marked == set(), f"scenarios without a test: {sorted(registry.KEYS - marked)}"
    assert marked - registry.KEYS == set(), f"markers naming no scenario: {sorted(marked - registry.KEYS)}"
    unmarked = [test.node for test in TESTS if not test.scenarios and test.file != Path(__file__).name]
    assert not unmarked, f"tests proving no scenario: {unmarked}"


def test_every_xfail_is_strict_and_names_a_bug() -> None:
    for test in TESTS:
        for strict, reason in test.xfail:
            assert strict, f"{test.node}: xfail must be strict, so a fix is noticed"
            assert reason.startswith("bug: ") and len(reason) > 40, f"{test.node}: reason must say 'bug: ...'"


def test_every_figure_is_written_by_a_test() -> None:
    sources = "\n".join(path.read_text(encoding="utf-8") for path in report.TESTS.glob("*.py"))
    for name in registry.FIGURES:
        if name.startswith("cases."):
            assert name.removeprefix("cases.") in {area.key for area in registry.AREAS} | {"xfailed", "soak"}, name
            continue
        assert f'"{name}"' in sources, f"figure {name} is declared but no test writes it"


def test_docs_list_exactly_the_registry_scenarios() -> None:
    assert DOC_TEXT, f"{report.DOC} is missing: run scripts/reliability_report.py"
    table = report.extract(DOC_TEXT, "scenarios") or ""
    listed = re.findall(r"^\| `([a-z]+\.[a-z0-9-]+)` \|", table, flags=re.MULTILINE)
    assert len(listed) == len(set(listed)), "a scenario is listed twice"
    assert set(listed) == registry.KEYS, {
        "missing": sorted(registry.KEYS - set(listed)),
        "extra": sorted(set(listed) - registry.KEYS),
    }


def test_docs_tables_are_current() -> None:
    stale = report.stale_blocks(DOC_TEXT, registry, TESTS)
    assert not stale, f"docs/reliability.md is stale ({', '.join(stale)}): run scripts/reliability_report.py"


def test_docs_show_every_figure() -> None:
    figures = report.extract(DOC_TEXT, "figures") or ""
    for name in registry.FIGURES:
        assert f"| `{name}` |" in figures, f"figure {name} is not on the page"


def test_the_scan_reads_real_decorators() -> None:
    """The AST scan sees what pytest sees: a known test with its known marker."""
    by_node = {test.node: test for test in TESTS}
    faults = by_node["test_reliability_faults.py::test_connection_refused"]
    assert faults.scenarios == ("faults.connection-refused",)
    source = (report.TESTS / "test_reliability_faults.py").read_text(encoding="utf-8")
    functions = [n.name for n in ast.walk(ast.parse(source)) if isinstance(n, ast.FunctionDef)]
    assert {t.name for t in TESTS if t.file == "test_reliability_faults.py"} == {
        name for name in functions if name.startswith("test_")
    }
