"""scripts/public_api.py: which changes of a signature break callers."""

from __future__ import annotations

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
