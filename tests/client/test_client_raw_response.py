"""with_raw_response: the APIResponse carries status, headers and request id; parse() gives the normal result."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from client_testkit import Driver, PagedList, error_body, json_response, list_payload, run_payload, step_payload

import threadruns
from threadruns.types import RunObject, RunStepObject

HEADERS = {"x-request-id": "req_raw_1", "openai-processing-ms": "12"}


def _handler(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/steps"):
        return json_response(list_payload([step_payload(id="step_a")], has_more=False), headers=HEADERS)
    if request.method == "GET" and request.url.path.endswith("/runs"):
        return json_response(list_payload([run_payload(id="run_a")], has_more=False), headers=HEADERS)
    return json_response(run_payload(id="run_raw"), headers=HEADERS)


def _page_type(driver: Driver) -> type[Any]:
    return threadruns.AsyncCursorPage if driver.is_async else threadruns.SyncCursorPage


def test_raw_create_returns_api_response_parsing_to_run(driver: Driver) -> None:
    """runs.with_raw_response.create gives an APIResponse whose parse() equals what create() returns."""
    driver.client(_handler)
    raw = driver.call(lambda c: c.runs.with_raw_response.create("thread_1", assistant_id="asst_1"))
    assert isinstance(raw, threadruns.APIResponse)
    assert raw.status_code == 200
    assert raw.request_id == "req_raw_1"
    assert raw.headers["openai-processing-ms"] == "12"
    assert raw.http_response.request.method == "POST"
    run = raw.parse()
    assert isinstance(run, RunObject)
    assert raw.parse() is run  # parsed once, cached
    normal = driver.call(lambda c: c.runs.create("thread_1", assistant_id="asst_1"))
    assert type(normal) is type(run)
    assert run.to_dict() == normal.to_dict()
    assert len(driver.requests) == 2
    assert driver.requests[0].content == driver.requests[1].content


def test_raw_retrieve_returns_api_response_parsing_to_run(driver: Driver) -> None:
    """runs.with_raw_response.retrieve: status, headers, request_id, and parse() -> RunObject."""
    driver.client(_handler)
    raw = driver.call(lambda c: c.runs.with_raw_response.retrieve("run_1", thread_id="thread_1"))
    assert isinstance(raw, threadruns.APIResponse)
    assert (raw.status_code, raw.request_id) == (200, "req_raw_1")
    run = raw.parse()
    assert isinstance(run, RunObject)
    assert run.id == "run_raw"
    assert driver.requests[0].url.path == "/v1/threads/thread_1/runs/run_1"


def test_raw_runs_list_parses_to_a_page(driver: Driver) -> None:
    """runs.with_raw_response.list: parse() gives the same page type as list() (awaited, in async)."""
    driver.client(_handler)
    raw = driver.call(lambda c: c.runs.with_raw_response.list("thread_1", limit=1))
    assert isinstance(raw, threadruns.APIResponse)
    assert raw.request_id == "req_raw_1"
    page = raw.parse()
    assert isinstance(page, _page_type(driver))
    assert [r.id for r in page.data] == ["run_a"]
    assert all(isinstance(r, RunObject) for r in page.data)
    assert driver.requests[0].url.params["limit"] == "1"


def test_raw_steps_list_parses_to_a_page(driver: Driver) -> None:
    """runs.steps.with_raw_response.list: parse() gives a cursor page of RunStepObject."""
    driver.client(_handler)
    raw = driver.call(lambda c: c.runs.steps.with_raw_response.list("run_1", thread_id="thread_1"))
    assert isinstance(raw, threadruns.APIResponse)
    assert raw.status_code == 200
    page = raw.parse()
    assert isinstance(page, _page_type(driver))
    assert [s.id for s in page.data] == ["step_a"]
    assert all(isinstance(s, RunStepObject) for s in page.data)


def test_raw_steps_via_runs_with_raw_response(driver: Driver) -> None:
    """runs.with_raw_response.steps.retrieve also returns an APIResponse parsing to RunStepObject."""
    driver.client(lambda request: json_response(step_payload(id="step_z"), headers=HEADERS))
    raw = driver.call(lambda c: c.runs.with_raw_response.steps.retrieve("step_z", thread_id="thread_1", run_id="run_1"))
    assert isinstance(raw, threadruns.APIResponse)
    step = raw.parse()
    assert isinstance(step, RunStepObject)
    assert step.id == "step_z"


def test_page_parsed_from_raw_response_still_paginates(driver: Driver) -> None:
    """Iterating a page obtained from a raw list response fetches the following pages as parsed pages."""
    server = PagedList([f"run_{n}" for n in range(1, 6)])
    driver.client(server)
    raw = driver.call(lambda c: c.runs.with_raw_response.list("thread_1", limit=2, order="asc"))
    page = raw.parse()
    assert [r.id for r in driver.iterate(page)] == ["run_1", "run_2", "run_3", "run_4", "run_5"]
    assert server.cursors == [(None, None), ("run_2", None), ("run_4", None)]


def test_raw_response_does_not_leak_into_later_calls(driver: Driver) -> None:
    """After a raw call, a normal call on the same client returns the parsed model again."""
    driver.client(_handler)
    driver.call(lambda c: c.runs.with_raw_response.retrieve("run_1", thread_id="thread_1"))
    assert isinstance(driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1")), RunObject)


def test_raw_call_still_raises_typed_errors(driver: Driver) -> None:
    """An error status under with_raw_response raises the typed exception rather than returning an APIResponse."""
    driver.client(lambda request: json_response(error_body("gone"), status=404, headers=HEADERS), max_retries=0)
    with pytest.raises(threadruns.NotFoundError) as info:
        driver.call(lambda c: c.runs.with_raw_response.retrieve("run_1", thread_id="thread_1"))
    assert info.value.request_id == "req_raw_1"
    assert len(driver.requests) == 1


def test_raw_response_parse_surfaces_validation_errors(driver: Driver) -> None:
    """A raw call on a malformed 200 returns the APIResponse; parse() then raises APIResponseValidationError."""
    driver.client(lambda request: json_response({"id": "run_1"}))
    raw = driver.call(lambda c: c.runs.with_raw_response.retrieve("run_1", thread_id="thread_1"))
    assert raw.status_code == 200
    assert json.loads(raw.content) == {"id": "run_1"}
    with pytest.raises(threadruns.APIResponseValidationError):
        raw.parse()
