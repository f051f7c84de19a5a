"""Edge cases found in review: header case, undecodable bodies, NaN waits, poll deadlines, raw streams."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from client_testkit import SilentServer

import threadruns
from threadruns._tools import run_tool
from threadruns.types import RunToolCallObject

RUN = {
    "id": "run_1",
    "object": "thread.run",
    "created_at": 1,
    "thread_id": "thread_1",
    "assistant_id": "asst_1",
    "status": "queued",
    "model": "gpt-4o",
    "instructions": "",
    "tools": [],
    "metadata": {},
    "parallel_tool_calls": True,
}


def _client(handler: Any, **options: Any) -> threadruns.Client:
    return threadruns.Client(
        api_key="sk-test",
        base_url="http://127.0.0.1:9/v1",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        **options,
    )


def test_caller_headers_replace_ours_whatever_their_case() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=RUN)

    client = _client(handler, default_headers={"openai-beta": "assistants=v3"})
    client.runs.create(
        "thread_1", assistant_id="asst_1", extra_headers={"authorization": "Bearer other", "idempotency-key": "mine"}
    )
    headers = seen[0].headers
    assert headers.get_list("authorization") == ["Bearer other"]
    assert headers.get_list("idempotency-key") == ["mine"]
    assert headers.get_list("openai-beta") == ["assistants=v3"]


def test_undecodable_body_is_a_threadruns_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"content-encoding": "gzip", "content-type": "application/json"}, content=b"not gzip"
        )

    with pytest.raises(threadruns.APIConnectionError, match="could not be read"):
        _client(handler, max_retries=0).runs.retrieve("run_1", thread_id="thread_1")


def test_nan_poll_after_header_does_not_spin() -> None:
    calls: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(time.monotonic())
        return httpx.Response(200, json=RUN, headers={"openai-poll-after-ms": "nan"})

    with pytest.raises(threadruns.PollTimeoutError):
        _client(handler).runs.poll("run_1", "thread_1", poll_interval_ms=100, poll_timeout=0.5)
    assert 3 <= len(calls) <= 8  # about one per 0.1 s, not hundreds


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_nan_and_infinite_poll_arguments_are_refused(value: float) -> None:
    client = _client(lambda request: httpx.Response(500))
    with pytest.raises(ValueError, match="timeout"):
        client.runs.poll("run_1", "thread_1", poll_timeout=value)
    with pytest.raises(ValueError, match="poll_interval"):
        client.runs.poll("run_1", "thread_1", poll_interval_ms=(value) * 1000)


@pytest.mark.parametrize("field", ["organization", "project"])
def test_header_values_with_line_breaks_are_refused_at_construction(field: str) -> None:
    with pytest.raises(ValueError, match=field):
        threadruns.Client(api_key="sk-test", base_url="http://127.0.0.1:9/v1", **{field: "org_1\n"})
    with pytest.raises(ValueError, match="extra_headers"):
        _client(lambda request: httpx.Response(200, json=RUN)).runs.retrieve(
            "run_1", thread_id="thread_1", extra_headers={"X-A": "a\r\nB: b"}
        )


def test_poll_deadline_bounds_retries_of_a_silent_server() -> None:
    with (
        SilentServer() as server,
        threadruns.Client(api_key="sk-test", base_url=server.base_url, max_retries=5) as client,
    ):
        started = time.monotonic()
        with pytest.raises(threadruns.APITimeoutError):
            client.runs.poll("run_1", "thread_1", poll_timeout=1.0)
        assert time.monotonic() - started < 2.0


def test_poll_refuses_unknown_keywords_before_any_request() -> None:
    seen: list[httpx.Request] = []
    client = _client(lambda request: seen.append(request) or httpx.Response(200, json=RUN))
    with pytest.raises(TypeError, match="max_retires"):
        client.runs.poll("run_1", "thread_1", max_retires=0)  # type: ignore[call-arg]
    assert seen == []


def test_raw_response_refuses_to_stream_before_any_request() -> None:
    seen: list[httpx.Request] = []
    client = _client(lambda request: seen.append(request) or httpx.Response(200, json=RUN))
    with pytest.raises(TypeError, match="with_raw_response cannot stream"):
        client.runs.with_raw_response.create("thread_1", assistant_id="asst_1", stream=True)
    assert seen == []


def test_deeply_nested_tool_arguments_become_an_error_output() -> None:
    call = RunToolCallObject.from_dict(
        {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "[" * 100_000 + "]" * 100_000}}
    )
    output = run_tool({"f": lambda **kwargs: "ok"}, call)
    assert output["tool_call_id"] == "call_1" and output["output"].startswith("Error: the arguments of 'f'")
