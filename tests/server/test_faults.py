"""Fault injection (status, latency, malformed body, cut stream, error event) and the request log."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import httpx
import pytest
from spec_checks import assert_valid, names, parse_events, read_events

from threadruns.server import RunsServer, Script


@pytest.fixture
def thread_id(server: RunsServer) -> str:
    server.add_assistant("asst_1", script=Script.reply("one two three four"))
    return server.add_thread("thread_1", messages=["hi"])


def test_a_status_fault_answers_n_times_with_its_headers_then_requests_pass(
    server: RunsServer, client: httpx.Client, thread_id: str
) -> None:
    rule = server.faults.add(status=503, times=2, headers={"retry-after-ms": "100"})
    for _ in range(2):
        response = client.get(f"/threads/{thread_id}/runs")
        assert response.status_code == 503
        assert response.headers["retry-after-ms"] == "100"
        assert response.json()["error"]["type"] == "server_error"
    assert client.get(f"/threads/{thread_id}/runs").status_code == 200
    assert (rule.hits, rule.remaining, rule.exhausted) == (2, 0, True)
    assert server.faults.rules == []
    assert len(server.requests) == 3


def test_status_faults_match_on_method_and_on_path_substring_or_regex(
    server: RunsServer, client: httpx.Client, thread_id: str
) -> None:
    server.faults.add(status=429, method="POST", path="/runs", times=None)
    server.faults.add(status=500, path=re.compile(r"/steps$"), times=1)
    assert client.get(f"/threads/{thread_id}/runs").status_code == 200
    limited = client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "asst_1"})
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limit_exceeded"
    assert client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "asst_1"}).status_code == 429
    assert client.get(f"/threads/{thread_id}/runs/run_x/steps").status_code == 500
    assert client.get(f"/threads/{thread_id}/runs/run_x/steps").status_code == 404
    server.faults.clear()
    assert client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "asst_1"}).status_code == 200


def test_a_status_fault_can_carry_a_custom_body(server: RunsServer, raw_client: httpx.Client, thread_id: str) -> None:
    server.faults.add(status=502, body="<html>bad gateway</html>", headers={"content-type": "text/html"})
    server.faults.add(status=400, body={"error": {"message": "custom", "type": "x", "param": None, "code": None}})
    html = raw_client.get(f"/threads/{thread_id}/runs")
    assert (html.status_code, html.text, html.headers["content-type"]) == (502, "<html>bad gateway</html>", "text/html")
    custom = raw_client.get(f"/threads/{thread_id}/runs")
    assert custom.status_code == 400 and custom.json()["error"]["message"] == "custom"


def test_status_faults_apply_before_authentication(server: RunsServer, thread_id: str) -> None:
    server.faults.add(status=503)
    assert httpx.get(f"{server.url}/threads/{thread_id}/runs").status_code == 503
    assert httpx.get(f"{server.url}/threads/{thread_id}/runs").status_code == 401


def test_latency_delays_only_the_matching_requests(server: RunsServer, client: httpx.Client, thread_id: str) -> None:
    server.faults.latency(0.3, times=1, method="GET")
    started = time.monotonic()
    assert client.get(f"/threads/{thread_id}/runs").status_code == 200
    slow = time.monotonic() - started
    started = time.monotonic()
    assert client.get(f"/threads/{thread_id}/runs").status_code == 200
    fast = time.monotonic() - started
    assert slow >= 0.3
    assert fast < 0.25


def test_malformed_body_sends_a_200_with_truncated_json_once(
    server: RunsServer, raw_client: httpx.Client, thread_id: str
) -> None:
    server.faults.malformed_body(times=1, method="POST")
    broken = raw_client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "asst_1"})
    assert broken.status_code == 200
    assert broken.headers["content-type"] == "application/json"
    assert int(broken.headers["content-length"]) == len(broken.content) > 0
    with pytest.raises(json.JSONDecodeError):
        json.loads(broken.content)
    assert broken.content.startswith(b'{"id":"run_')
    listed = raw_client.get(f"/threads/{thread_id}/runs").json()
    assert len(listed["data"]) == 1, "the request behind the broken response was still carried out"
    assert broken.content.startswith(f'{{"id":"{listed["data"][0]["id"]}"'.encode())
    # Once only: the next create (on another thread, this one's run is active) answers whole.
    whole = raw_client.post(f"/threads/{server.add_thread()}/runs", json={"assistant_id": "asst_1"})
    assert_valid("RunObject", whole.json())


def test_cut_stream_ends_after_k_events_without_done(server: RunsServer, client: httpx.Client, thread_id: str) -> None:
    server.faults.cut_stream(after_events=4)
    body = {"assistant_id": "asst_1", "stream": True}
    with client.stream("POST", f"/threads/{thread_id}/runs", json=body) as response:
        events = read_events(response)
    assert names(events) == [
        "thread.run.created",
        "thread.run.queued",
        "thread.run.in_progress",
        "thread.run.step.created",
    ]
    # The cut run is still active on its thread; the fault is used up, so a run elsewhere streams to the end.
    with client.stream("POST", f"/threads/{server.add_thread()}/runs", json=body) as response:
        assert names(read_events(response))[-1] == "done"


def test_stream_faults_are_not_used_up_by_plain_requests(
    server: RunsServer, client: httpx.Client, thread_id: str
) -> None:
    rule = server.faults.cut_stream(after_events=1)
    client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "asst_1"})
    assert rule.hits == 0
    other = server.add_thread()  # the plain run is still active on the first thread
    with client.stream("POST", f"/threads/{other}/runs", json={"assistant_id": "asst_1", "stream": True}) as r:
        assert names(read_events(r)) == ["thread.run.created"]
    assert rule.hits == 1


def test_error_event_is_sent_after_k_events_and_ends_the_stream(
    server: RunsServer, client: httpx.Client, thread_id: str
) -> None:
    server.faults.error_event(after_events=3, message="Something broke.", code="server_error")
    with client.stream(
        "POST", f"/threads/{thread_id}/runs", json={"assistant_id": "asst_1", "stream": True}
    ) as response:
        events = read_events(response)
    assert names(events) == ["thread.run.created", "thread.run.queued", "thread.run.in_progress", "error"]
    error: dict[str, Any] = events[-1][1]
    assert error == {"message": "Something broke.", "type": "server_error", "param": None, "code": "server_error"}
    assert_valid("Error", error)


def test_an_error_event_past_the_end_of_the_stream_still_replaces_done(
    server: RunsServer, raw_client: httpx.Client, thread_id: str
) -> None:
    server.faults.error_event(after_events=1000)
    response = raw_client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "asst_1", "stream": True})
    events = parse_events(response.text)
    assert names(events)[-2:] == ["thread.run.completed", "error"]


def test_the_request_log_counts_every_request_exactly_without_credentials(
    server: RunsServer, client: httpx.Client, thread_id: str
) -> None:
    server.faults.add(status=500, times=1)
    client.get(f"/threads/{thread_id}/runs", params={"limit": 2, "order": "asc"})
    client.get(f"/threads/{thread_id}/runs", params={"limit": 2, "order": "asc"})
    client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "asst_1"})
    httpx.get(f"{server.url}/threads/{thread_id}/runs")
    log = server.requests
    assert [(r.method, r.path, r.query) for r in log] == [
        ("GET", f"/v1/threads/{thread_id}/runs", "limit=2&order=asc"),
        ("GET", f"/v1/threads/{thread_id}/runs", "limit=2&order=asc"),
        ("POST", f"/v1/threads/{thread_id}/runs", ""),
        ("GET", f"/v1/threads/{thread_id}/runs", ""),
    ]
    assert all("authorization" not in r.headers for r in log)
    assert log[0].headers["openai-beta"] == "assistants=v2"
    server.reset()
    assert server.requests == []
    assert client.get(f"/threads/{thread_id}/runs").status_code == 404, "reset forgets threads"


def test_times_must_be_positive(server: RunsServer) -> None:
    with pytest.raises(ValueError, match="times"):
        server.faults.add(status=500, times=0)


def test_a_client_that_gives_up_under_latency_leaves_the_server_quiet(caplog: pytest.LogCaptureFixture) -> None:
    """A client timeout during a latency fault disconnects before the body is read: no traceback is logged."""
    import logging
    import time

    import threadruns
    from threadruns.server import RunsServer

    with caplog.at_level(logging.INFO), RunsServer() as server:
        thread = server.add_thread(messages=["hi"])
        server.faults.latency(1.0, times=2)
        with threadruns.Client(api_key="sk-test", base_url=server.url, timeout=0.2, max_retries=0) as client:
            for _ in range(2):
                with pytest.raises(threadruns.APITimeoutError):
                    client.runs.list(thread)
        time.sleep(1.3)  # the server wakes up and finds the client gone
    noisy = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert noisy == [], [r.getMessage() for r in noisy]
