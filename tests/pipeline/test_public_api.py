"""scripts/public_api.py: which changes of a signature break callers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import public_api


def _fn(*params: list[Any], returns: str = "RunObject") -> dict[str, Any]:
    return {"kind": "function", "params": [list(p) for p in params], "returns": returns}


POS = "positional or keyword"
KW = "keyword-only"
BASE = {"c.retrieve": _fn(["run_id", POS, "str", None], ["thread_id", KW, "str", None], ["limit", KW, "int", "20"])}


def _changes(new: dict[str, Any]) -> list[str]:
    return public_api.diff(BASE, {"c.retrieve": new})


def test_identical_surfaces_have_no_changes() -> None:
    assert public_api.diff(BASE, BASE) == []


def test_swapping_positional_parameters_breaks() -> None:
    lines = _changes(_fn(["thread_id", POS, "str", None], ["run_id", POS, "str", None], ["limit", KW, "int", "20"]))
    assert "BREAKING c.retrieve: parameter 'run_id' moved (position 0 -> 1)" in lines
    assert "BREAKING c.retrieve: parameter 'thread_id' changed kind (keyword-only -> positional or keyword)" in lines


def test_an_optional_parameter_made_required_breaks_and_a_new_optional_one_does_not() -> None:
    lines = _changes(
        _fn(
            ["run_id", POS, "str", None],
            ["thread_id", KW, "str", None],
            ["limit", KW, "int", None],
            ["x", KW, "int", "1"],
        )
    )
    assert lines == [
        "BREAKING c.retrieve: parameter 'limit' became required",
        "         c.retrieve: parameter 'x' added",
    ]


def test_removed_objects_and_changed_returns_break() -> None:
    assert public_api.diff(BASE, {}) == ["BREAKING c.retrieve: removed"]
    lines = _changes(_fn(*BASE["c.retrieve"]["params"], returns="RunStepObject"))
    assert lines == ["BREAKING c.retrieve: returns RunObject -> RunStepObject"]


def test_a_removed_class_is_reported_once_not_per_member() -> None:
    old = {"c.Runs": {"kind": "class", "bases": []}, "c.Runs.list": _fn()}
    assert public_api.diff(old, {}) == ["BREAKING c.Runs: removed"]


# --------------------------------------------------------------------------- api.md against the surface

ROOT = Path(__file__).resolve().parents[2]
OPTIONS = {"extra_headers", "extra_query", "extra_body", "timeout", "max_retries"}
SECTIONS = {  # api.md heading -> the resource it documents
    "## Runs": "beta.threads.runs",
    "## Run steps": "beta.threads.runs.steps",
    "## Messages": "beta.threads.messages",
}


def _signature(name: str, entry: dict[str, Any]) -> str:
    """``name(a, *, b, **c)``: the per-call options, documented once at the top of api.md, left out."""
    out: list[str] = []
    for param, kind, _, _ in entry["params"]:
        if param in OPTIONS and kind == "keyword-only":
            continue
        if kind == "keyword-only" and "*" not in out:
            out.append("*")
        out.append(f"**{param}" if kind == "variadic keyword" else param)
    return f"{name}({', '.join(out)})"


def _documented() -> dict[str, set[str]]:
    rows: dict[str, set[str]] = {}
    section = None
    for line in (ROOT / "api.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = next((res for head, res in SECTIONS.items() if line.startswith(head)), None)
        elif section and line.startswith("| `"):
            rows.setdefault(section, set()).add(line.split("`")[1])
    return rows


def test_api_md_lists_every_method_of_every_resource_with_its_signature() -> None:
    surface = json.loads((ROOT / "generated" / "public-api.json").read_text(encoding="utf-8"))
    expected: dict[str, set[str]] = {}
    for path, entry in surface.items():
        resource, _, name = path.removeprefix("threadruns.Client.").rpartition(".")
        public = path.startswith("threadruns.Client.beta.") and not name.startswith("_")
        if public and resource in SECTIONS.values() and entry["kind"] == "function":
            expected.setdefault(resource, set()).add(_signature(name, entry))
    assert set(expected) == set(SECTIONS.values())
    assert _documented() == expected


def test_an_attribute_whose_type_changes_breaks_readers() -> None:
    old = {"c.E.status_code": {"kind": "attribute", "type": "int"}}
    new = {"c.E.status_code": {"kind": "attribute", "type": "int | None"}}
    assert public_api.diff(old, new) == ["BREAKING c.E.status_code: type int -> int | None"]
