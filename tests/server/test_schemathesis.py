"""Property-based conformance: schemathesis generates requests from the spec against the live server.

Every operation gets derandomized positive and negative cases (30 each), with the seeded thread as
``thread_id``; the operations under a run also get positive cases aimed at a real run. Checks: no 5xx,
documented status codes and content types, response bodies valid against the spec, and negative
(schema-violating) requests rejected.

The schema given to schemathesis is the shipped spec, unchanged: its ``text/event-stream`` schema
describes one parsed event (``event`` and ``data``), which is how schemathesis checks streams; event
payloads are checked against their own schemas in test_streaming.py.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from spec_checks import validating_spec

from threadruns.server import RunsServer, Script, ToolCall

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


def _count(cases: Counter[str], statuses: Counter[int], key: str, status: int) -> None:
    cases[key] += 1
    statuses[status] += 1


def _run_cases(
    strategy: Any, base_url: str, headers: dict[str, str], record: Callable[[int], None]
) -> Exception | None:
    """Run one operation's generated cases; the first failure (shrunk by hypothesis), or None."""

    @settings(derandomize=True, max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def check(case: schemathesis.Case) -> None:
        response = case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)
        record(response.status_code)

    try:
        check()
    except Exception as error:  # every operation runs; failures are reported together
        return error
    return None


def test_generated_requests_get_spec_conformant_answers_and_never_a_5xx(capsys: pytest.CaptureFixture[str]) -> None:
    schema = schemathesis.openapi.from_dict(validating_spec())
    cases: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    started = time.monotonic()
    with RunsServer(auto_create=True, advance_on_read=True, id_seed=7) as server:
        server.add_assistant("asst_tools", script=Script.call_tools([ToolCall("lookup", {"q": "x"})]))
        thread_id = server.add_thread("thread_seed", messages=["Hello"])
        with httpx.Client(base_url=server.url, headers={"Authorization": "Bearer k"}) as client:
            run_id = client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "asst_tools"}).json()["id"]
            server.step(2)
        plans: list[tuple[str, schemathesis.GenerationMode, dict[str, str]]] = []
        for result in schema.get_all_operations():
            operation = result.ok()
            for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
                plans.append((operation.label, mode, {"thread_id": thread_id}))
            if "{run_id}" in operation.path:
                plans.append(
                    (operation.label, schemathesis.GenerationMode.POSITIVE, {"thread_id": thread_id, "run_id": run_id})
                )
        operations = {result.ok().label: result.ok() for result in schema.get_all_operations()}
        for label, mode, path_parameters in plans:
            key = f"{label} [{mode.value}{' real run' if 'run_id' in path_parameters else ''}]"
            strategy = operations[label].as_strategy(generation_mode=mode, path_parameters=path_parameters)
            # Positive cases get a usable key (schemathesis may generate "Bearer " with an empty one, a 401);
            # negative cases keep whatever schemathesis chose, including no Authorization at all.
            headers = {"Authorization": "Bearer sk-fuzz"} if mode == schemathesis.GenerationMode.POSITIVE else {}
            error = _run_cases(
                strategy, server.url, headers, lambda status, key=key: _count(cases, statuses, key, status)
            )
            if error is not None:
                failures.append(f"{key}: {error}")
    elapsed = time.monotonic() - started
    total = sum(cases.values())
    with capsys.disabled():
        print(f"\nschemathesis: {total} cases, {len(plans)} plans, {elapsed:.1f} s, statuses {dict(statuses)}")
    assert not failures, "\n\n".join(failures)
    assert total >= 400
    assert statuses[200] > 0 and statuses[400] > 0
    assert not any(status >= 500 for status in statuses)
