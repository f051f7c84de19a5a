"""The field-by-field audit behind `threadruns conformance`: what it finds, and what the spec allows."""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest

from threadruns._audit import audit
from threadruns.server import RunsServer

NOW = time.time()


@pytest.fixture(scope="module")
def run() -> dict[str, Any]:
    """A real run as the embedded server sends it."""
    import httpx

    with RunsServer(auto_create=True) as server, httpx.Client(base_url=server.url) as http:
        answer = http.post(
            "/threads/t/runs",
            json={"assistant_id": "a", "metadata": {"k": "v"}},
            headers={"Authorization": "Bearer k", "OpenAI-Beta": "assistants=v2"},
        )
        body: dict[str, Any] = answer.json()
    return body


def _found(run: dict[str, Any], change: Any) -> list[str]:
    body = copy.deepcopy(run)
    change(body)
    return [str(f) for f in audit(body, "RunObject", now=NOW)]


def test_a_run_of_the_embedded_server_has_no_findings(run: dict[str, Any]) -> None:
    assert audit(run, "RunObject", now=NOW) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda r: r.pop("usage"), "RunObject.usage: missing key"),
        (lambda r: r.update(model=None), "RunObject.model: null, the spec allows string"),
        (lambda r: r.update(created_at=True), "RunObject.created_at: wrong type, expected integer, got boolean"),
        # 1.0 is not an int to the client's parse either: the audit must not pass what threadruns refuses
        (lambda r: r.update(created_at=float(r["created_at"])), "RunObject.created_at: wrong type, expected integer"),
        (lambda r: r.update(object="run"), 'RunObject.object: wrong value, expected "thread.run", got "run"'),
        (lambda r: r["metadata"].update(n=1), "RunObject.metadata['n']: wrong type, expected string, got integer"),
        (lambda r: r.update(created_at=int(NOW * 1000)), "RunObject.created_at: not unix seconds"),
        (lambda r: r.update(created_at=12), "RunObject.created_at: not unix seconds, 12 (not a plausible time)"),
        (lambda r: r.update(tools=[{"type": "function", "function": {}}]), "RunObject.tools[0].function.name: missing"),
        (lambda r: r.update(extra=1), "RunObject.extra: extra key, not in the spec's schema"),
    ],
)
def test_each_kind_of_flaw_is_named_at_its_path(run: dict[str, Any], change: Any, expected: str) -> None:
    found = _found(run, change)
    assert len(found) == 1 and found[0].startswith(expected), found


def test_a_missing_key_says_the_spec_default_when_there_is_one(run: dict[str, Any]) -> None:
    assert _found(run, lambda r: r.pop("tools")) == ["RunObject.tools: missing key, spec default []"]


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r.update(status="paused_for_review"),  # an enum value the spec does not list yet
        lambda r: r.update(tools=[{"type": "web_browser"}]),  # a union tag the spec does not list yet
        lambda r: r.update(instructions=None, last_error=None, usage=None),  # nullable
        lambda r: r.update(temperature=1),  # an integer is a number
    ],
)
def test_what_the_spec_allows_is_no_finding(run: dict[str, Any], change: Any) -> None:
    assert _found(run, change) == []


def test_a_time_before_created_at_is_out_of_order(run: dict[str, Any]) -> None:
    found = _found(run, lambda r: r.update(completed_at=r["created_at"] - 5))
    assert found == [
        f"RunObject.completed_at: out of order, {run['created_at'] - 5} is before created_at {run['created_at']}"
    ]


def test_an_error_body_is_audited_against_the_error_schema() -> None:
    from threadruns_api.resources._answers import ERROR_MODEL

    good = {"error": {"message": "m", "type": "invalid_request_error", "param": None, "code": None}}
    assert audit(good, ERROR_MODEL) == []
    assert [str(f) for f in audit({"detail": "Not found"}, ERROR_MODEL)] == [
        "ErrorResponse.error: missing key",
        "ErrorResponse.detail: extra key, not in the spec's schema",
    ]


def test_a_client_never_loads_the_answer_schemas() -> None:
    """They are for the audit alone: `import threadruns` and a call's first setup do not pay for them."""
    import subprocess
    import sys

    code = (
        "import sys, threadruns; threadruns.Client(api_key='k', base_url='http://127.0.0.1:9');"
        "import threadruns_api.resources._operations;"
        "print('threadruns_api.resources._answers' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == ["False"]
