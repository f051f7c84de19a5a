"""The fault matrix: every fault ends in a success after retries or in exactly one typed threadruns error,
within a time bound, for ``Client`` and ``AsyncClient``, for a JSON call and for a stream.

Faults come from the embedded server's fault injection where it can produce them, and from a raw socket
server on 127.0.0.1 where it cannot (resets, half-sent bodies, stalled streams, redirect targets).
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Iterator
from typing import Any, Literal

import httpx
import pytest
from reliability_kit import (
    FIGURES,
    FullBacklog,
    Outcome,
    RawServer,
    Runner,
    assert_typed,
    closed_port,
    exception_texts,
    find_leaks,
    reset_before_response,
    reset_mid_body,
    respond_json,
    run_payload,
    second_loopback_host,
    sse_complete,
    sse_frame,
    sse_then_reset,
    sse_then_stall,
)

import threadruns
from threadruns.server import RunsServer, Script

Kind = Literal["json", "stream"]
KINDS: tuple[Kind, ...] = ("json", "stream")
RUN_FRAMES = (
    sse_frame("thread.run.created", run_payload(status="queued", completed_at=None, usage=None)),
    sse_frame("thread.run.in_progress", run_payload(status="in_progress", completed_at=None, usage=None)),
)
COMPLETED_FRAME = sse_frame("thread.run.completed", run_payload())


@pytest.fixture(scope="module")
def shared_server() -> Iterator[RunsServer]:
    with RunsServer() as running:
        yield running


@pytest.fixture
def server(shared_server: RunsServer) -> RunsServer:
    """The module's server with no state, faults or request log left from an earlier test."""
    shared_server.reset()
    return shared_server


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> Kind:
    kind_: Kind = request.param
    return kind_


class Target:
    """A seeded thread and assistant on ``server``, and the two calls under test."""

    def __init__(self, server: RunsServer) -> None:
        self.server = server
        self.thread_id = server.add_thread(messages=["Hello"])
        self.assistant_id = server.add_assistant(script=Script.reply("Hi there"))

    def posts(self) -> int:
        return sum(1 for r in self.server.requests if r.method == "POST" and r.path.endswith("/runs"))


def create_call(runner: Runner, client: Any, kind: Kind, thread_id: str, *, within: float) -> Outcome:
    """``runs.create`` (JSON) or ``runs.stream`` read to its end, ``final_run`` as the value."""
    if kind == "json":
        return runner.attempt(lambda: client.runs.create(thread_id, assistant_id="asst_x"), within=within)
    return runner.attempt_stream(
        lambda: client.runs.stream(thread_id=thread_id, assistant_id="asst_x"), within=within, then="final_run"
    )


def seeded_call(runner: Runner, client: Any, kind: Kind, target: Target, *, within: float) -> Outcome:
    if kind == "json":
        return runner.attempt(
            lambda: client.runs.create(target.thread_id, assistant_id=target.assistant_id), within=within
        )
    return runner.attempt_stream(
        lambda: client.runs.stream(thread_id=target.thread_id, assistant_id=target.assistant_id),
        within=within,
        then="final_run",
    )


def expect_error(outcome: Outcome, expected: type[threadruns.ThreadRunsError]) -> Any:
    assert_typed(outcome.error, expected)
    assert outcome.error is not None
    assert not find_leaks(exception_texts(outcome.error)), "the API key leaked into the exception"
    return outcome.error


def expect_success(outcome: Outcome) -> Any:
    if outcome.error is not None:
        raise AssertionError(f"expected a success, got {type(outcome.error).__name__}: {outcome.error}")
    assert outcome.value is not None
    assert str(outcome.value.status) in {"queued", "completed"}, outcome.value.status
    return outcome.value


# ----------------------------------------------------------------------------- 429 and retry-after


@pytest.mark.scenario("faults.429-retry-after-seconds")
def test_429_retry_after_seconds(runner: Runner, kind: Kind, server: RunsServer) -> None:
    target = Target(server)
    server.faults.add(429, headers={"retry-after": "1"}, method="POST", path="/runs")
    outcome = seeded_call(runner, runner.client(server.url), kind, target, within=10)
    expect_success(outcome)
    assert target.posts() == 2
    assert 0.9 <= outcome.elapsed < 5, outcome.elapsed


@pytest.mark.scenario("faults.429-retry-after-date")
def test_429_retry_after_http_date(runner: Runner, kind: Kind, server: RunsServer) -> None:
    target = Target(server)
    client = runner.client(server.url)
    when = email.utils.formatdate(time.time() + 2, usegmt=True)  # whole seconds: the wait is 1-2 s
    server.faults.add(429, headers={"retry-after": when}, method="POST", path="/runs")
    outcome = seeded_call(runner, client, kind, target, within=10)
    expect_success(outcome)
    assert target.posts() == 2
    assert 0.9 <= outcome.elapsed < 5, outcome.elapsed


@pytest.mark.scenario("faults.429-retry-after-ms")
def test_429_retry_after_ms(runner: Runner, kind: Kind, server: RunsServer) -> None:
    target = Target(server)
    server.faults.add(429, headers={"retry-after-ms": "200"}, method="POST", path="/runs")
    outcome = seeded_call(runner, runner.client(server.url), kind, target, within=10)
    expect_success(outcome)
    assert target.posts() == 2
    assert 0.19 <= outcome.elapsed < 3, outcome.elapsed


# ----------------------------------------------------------------------------- 5xx and 4xx


@pytest.mark.scenario("faults.5xx-retried")
@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_retried_into_a_success(runner: Runner, kind: Kind, server: RunsServer, status: int) -> None:
    target = Target(server)
    server.faults.add(status, headers={"retry-after-ms": "20"}, method="POST", path="/runs")
    outcome = seeded_call(runner, runner.client(server.url), kind, target, within=10)
    expect_success(outcome)
    assert target.posts() == 2
    assert outcome.elapsed < 3


@pytest.mark.scenario("faults.5xx-retried")
def test_5xx_without_retry_after_backs_off(runner: Runner, kind: Kind, server: RunsServer) -> None:
    target = Target(server)
    server.faults.add(503, method="POST", path="/runs")
    outcome = seeded_call(runner, runner.client(server.url), kind, target, within=10)
    expect_success(outcome)
    assert target.posts() == 2
    assert 0.37 <= outcome.elapsed < 3, outcome.elapsed


@pytest.mark.scenario("faults.5xx-exhausted")
@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_exhausted_raises_internal_server_error(
    runner: Runner, kind: Kind, server: RunsServer, status: int
) -> None:
    target = Target(server)
    server.faults.add(status, times=None, headers={"retry-after-ms": "10"}, method="POST", path="/runs")
    outcome = seeded_call(runner, runner.client(server.url, max_retries=2), kind, target, within=10)
    error = expect_error(outcome, threadruns.InternalServerError)
    assert error.status_code == status
    assert error.request_id and error.request_id.startswith("req_")
    assert target.posts() == 3
    assert outcome.elapsed < 3


@pytest.mark.scenario("faults.4xx-typed")
@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, threadruns.BadRequestError),
        (401, threadruns.AuthenticationError),
        (403, threadruns.PermissionDeniedError),
        (404, threadruns.NotFoundError),
        (422, threadruns.UnprocessableEntityError),
    ],
)
def test_4xx_maps_to_its_error_without_retry(
    runner: Runner, kind: Kind, server: RunsServer, status: int, expected: type[threadruns.APIStatusError]
) -> None:
    target = Target(server)
    server.faults.add(status, method="POST", path="/runs")
    outcome = seeded_call(runner, runner.client(server.url, max_retries=2), kind, target, within=10)
    error = expect_error(outcome, expected)
    assert error.status_code == status
    assert target.posts() == 1
    assert outcome.elapsed < 2


# ----------------------------------------------------------------------------- the network


@pytest.mark.scenario("faults.connection-refused")
def test_connection_refused(runner: Runner, kind: Kind) -> None:
    client = runner.client(f"http://127.0.0.1:{closed_port()}/v1", max_retries=1)
    outcome = create_call(runner, client, kind, "thread_1", within=10)
    expect_error(outcome, threadruns.APIConnectionError)
    assert 0.3 <= outcome.elapsed < 3, outcome.elapsed


def _good_answer(kind: Kind) -> Any:
    return respond_json(run_payload()) if kind == "json" else sse_complete([*RUN_FRAMES, COMPLETED_FRAME])


@pytest.mark.scenario("faults.reset-before-response")
def test_reset_before_response_exhausts_retries(runner: Runner, kind: Kind) -> None:
    with RawServer([reset_before_response()]) as raw:
        client = runner.client(raw.base_url, max_retries=1)
        outcome = create_call(runner, client, kind, "thread_1", within=10)
    expect_error(outcome, threadruns.APIConnectionError)
    assert raw.connections == 2
    assert outcome.elapsed < 3


@pytest.mark.scenario("faults.reset-before-response")
def test_reset_before_response_then_success(runner: Runner, kind: Kind) -> None:
    with RawServer([reset_before_response(), _good_answer(kind)]) as raw:
        client = runner.client(raw.base_url, max_retries=2)
        outcome = create_call(runner, client, kind, "thread_1", within=10)
    expect_success(outcome)
    assert raw.connections == 2
    assert outcome.elapsed < 3


@pytest.mark.scenario("faults.reset-mid-json-body")
def test_reset_mid_json_body(runner: Runner) -> None:
    body = json.dumps(run_payload()).encode()
    with RawServer([reset_mid_body(body)]) as raw:
        client = runner.client(raw.base_url, max_retries=1)
        outcome = create_call(runner, client, "json", "thread_1", within=10)
    expect_error(outcome, threadruns.APIConnectionError)
    assert raw.connections == 2
    assert outcome.elapsed < 3


@pytest.mark.scenario("faults.reset-mid-json-body")
def test_reset_mid_json_body_then_success(runner: Runner) -> None:
    body = json.dumps(run_payload()).encode()
    with RawServer([reset_mid_body(body), respond_json(run_payload())]) as raw:
        client = runner.client(raw.base_url, max_retries=1)
        outcome = create_call(runner, client, "json", "thread_1", within=10)
    expect_success(outcome)
    assert raw.connections == 2


@pytest.mark.scenario("faults.reset-mid-stream")
def test_reset_mid_stream(runner: Runner) -> None:
    with RawServer([sse_then_reset(RUN_FRAMES)]) as raw:
        client = runner.client(raw.base_url, max_retries=2)
        outcome = create_call(runner, client, "stream", "thread_1", within=10)
    expect_error(outcome, threadruns.APIConnectionError)
    assert [event.event for event in outcome.events] == ["thread.run.created", "thread.run.in_progress"]
    assert raw.connections == 1  # a stream broken after its start is not silently re-sent
    assert outcome.elapsed < 3


@pytest.mark.scenario("faults.read-timeout")
def test_read_timeout(runner: Runner, kind: Kind, server: RunsServer) -> None:
    target = Target(server)
    client = runner.client(server.url, timeout=0.3, max_retries=0)
    if kind == "json":
        run = runner.run(lambda: client.runs.create(target.thread_id, assistant_id=target.assistant_id), within=5)
        server.faults.latency(1.5, method="GET", path="/runs/")
        outcome = runner.attempt(lambda: client.runs.retrieve(run.id, thread_id=target.thread_id), within=5)
    else:
        server.faults.latency(1.5, method="POST", path="/runs")
        outcome = seeded_call(runner, client, kind, target, within=5)
    expect_error(outcome, threadruns.APITimeoutError)
    assert 0.25 <= outcome.elapsed < 1.4, outcome.elapsed


@pytest.mark.scenario("faults.read-timeout")
def test_read_timeout_then_success(runner: Runner, kind: Kind, server: RunsServer) -> None:
    target = Target(server)
    client = runner.client(server.url, timeout=0.3, max_retries=1)
    if kind == "json":
        run = runner.run(lambda: client.runs.create(target.thread_id, assistant_id=target.assistant_id), within=5)
        server.faults.latency(1.5, method="GET", path="/runs/")
        outcome = runner.attempt(lambda: client.runs.retrieve(run.id, thread_id=target.thread_id), within=5)
        assert outcome.error is None, outcome.error
        assert outcome.value.id == run.id
    else:
        server.faults.latency(1.5, method="POST", path="/runs")
        outcome = seeded_call(runner, client, kind, target, within=5)
        expect_success(outcome)
    assert outcome.elapsed < 2.5


@pytest.mark.scenario("faults.stream-stall")
def test_stream_stall_between_events(runner: Runner) -> None:
    with RawServer([sse_then_stall(RUN_FRAMES[:1])]) as raw:
        client = runner.client(raw.base_url, timeout=0.3, max_retries=2)
        outcome = create_call(runner, client, "stream", "thread_1", within=10)
    error = expect_error(outcome, threadruns.APITimeoutError)
    assert "between events" in str(error)
    assert [event.event for event in outcome.events] == ["thread.run.created"]
    assert outcome.elapsed < 2


@pytest.mark.scenario("faults.connect-timeout")
def test_connect_timeout(runner: Runner, kind: Kind) -> None:
    backlog = FullBacklog()
    try:
        timeout = httpx.Timeout(5.0, connect=0.3)
        if backlog.works:
            FIGURES.set("faults.connect_timeout_method", "full-backlog socket on 127.0.0.1 (real connect timeout)")
            client = runner.client(backlog.base_url, timeout=timeout, max_retries=1)
        else:  # pragma: no cover - depends on the kernel
            FIGURES.set("faults.connect_timeout_method", "httpx.MockTransport raising httpx.ConnectTimeout")

            def refuse(request: httpx.Request) -> httpx.Response:
                raise httpx.ConnectTimeout("timed out", request=request)

            http = runner.http_client(transport=httpx.MockTransport(refuse))
            client = runner.client(backlog.base_url, timeout=timeout, max_retries=1, http_client=http)
        outcome = create_call(runner, client, kind, "thread_1", within=10)
    finally:
        backlog.close()
    expect_error(outcome, threadruns.APITimeoutError)
    assert outcome.elapsed < 3, outcome.elapsed


# ----------------------------------------------------------------------------- broken 2xx bodies


@pytest.mark.scenario("faults.truncated-json")
@pytest.mark.parametrize("operation", ["retrieve", "create", "list"])
def test_truncated_json(runner: Runner, server: RunsServer, operation: str) -> None:
    target = Target(server)
    client = runner.client(server.url, max_retries=2)
    run = runner.run(lambda: client.runs.create(target.thread_id, assistant_id=target.assistant_id), within=5)
    calls = {
        "retrieve": (lambda: client.runs.retrieve(run.id, thread_id=target.thread_id), "GET", "/runs/"),
        "create": (lambda: client.runs.create(target.thread_id, assistant_id=target.assistant_id), "POST", "/runs"),
        "list": (lambda: client.runs.list(target.thread_id), "GET", "/runs"),
    }
    call, method, path = calls[operation]
    server.faults.malformed_body(method=method, path=path)
    before = len(server.requests)
    outcome = runner.attempt(call, within=5)
    error = expect_error(outcome, threadruns.APIResponseValidationError)
    assert error.status_code == 200
    assert len(server.requests) == before + 1  # a 2xx is never retried
    assert outcome.elapsed < 2


@pytest.mark.scenario("faults.invalid-json")
@pytest.mark.parametrize(
    "body",
    [b"{not json", b'{"id": "run_1",', b"\xff\xfe\x00garbage", b"[" * 100_000 + b"]" * 100_000],
    ids=["not-json", "cut", "binary", "deeply-nested"],
)
def test_invalid_json(runner: Runner, server: RunsServer, body: bytes) -> None:
    target = Target(server)
    server.faults.add(200, body=body, headers={"content-type": "application/json"}, method="POST", path="/runs")
    outcome = seeded_call(runner, runner.client(server.url), "json", target, within=5)
    expect_error(outcome, threadruns.APIResponseValidationError)
    assert target.posts() == 1


@pytest.mark.scenario("faults.invalid-json")
def test_invalid_json_in_a_stream_event(runner: Runner, server: RunsServer) -> None:
    target = Target(server)
    body = RUN_FRAMES[0] + b"event: thread.run.in_progress\ndata: {not json\n\n"
    server.faults.add(200, body=body, headers={"content-type": "text/event-stream"}, method="POST", path="/runs")
    outcome = seeded_call(runner, runner.client(server.url), "stream", target, within=5)
    expect_error(outcome, threadruns.APIResponseValidationError)
    assert [event.event for event in outcome.events] == ["thread.run.created"]


@pytest.mark.scenario("faults.html-200")
def test_html_200(runner: Runner, kind: Kind, server: RunsServer) -> None:
    target = Target(server)
    page = b"<!doctype html><html><body><h1>Please log in to the Wi-Fi</h1></body></html>"
    server.faults.add(200, body=page, headers={"content-type": "text/html; charset=utf-8"}, method="POST")
    outcome = seeded_call(runner, runner.client(server.url, max_retries=2), kind, target, within=5)
    error = expect_error(outcome, threadruns.APIResponseValidationError)
    assert "text/html" in str(error)
    assert target.posts() == 1


@pytest.mark.scenario("faults.empty-200")
@pytest.mark.parametrize("content_type", ["application/json", None])
def test_empty_200(runner: Runner, server: RunsServer, content_type: str | None) -> None:
    target = Target(server)
    headers = {"content-type": content_type} if content_type else {}
    server.faults.add(200, body=b"", headers=headers, method="POST", path="/runs")
    outcome = seeded_call(runner, runner.client(server.url), "json", target, within=5)
    expect_error(outcome, threadruns.APIResponseValidationError)


@pytest.mark.scenario("faults.empty-200")
def test_empty_event_stream(runner: Runner, server: RunsServer) -> None:
    target = Target(server)
    server.faults.add(200, body=b"", headers={"content-type": "text/event-stream"}, method="POST", path="/runs")
    outcome = seeded_call(runner, runner.client(server.url), "stream", target, within=5)
    error = expect_error(outcome, threadruns.APIConnectionError)
    assert "ended early" in str(error)
    assert outcome.events == []


WRONG_RUNS = {
    "missing-id": {k: v for k, v in run_payload().items() if k != "id"},
    "missing-status": {k: v for k, v in run_payload().items() if k != "status"},
    "missing-thread_id": {k: v for k, v in run_payload().items() if k != "thread_id"},
    "status-int": run_payload(status=5),
    "status-null": run_payload(status=None),
    "array": [run_payload()],
    "string": "run_0001",
    "null": None,
    "error-object": {"error": {"message": "nope", "type": "server_error", "param": None, "code": None}},
}
WRONG_LISTS = {
    "data-str": {"object": "list", "data": "nope", "first_id": None, "last_id": None, "has_more": False},
    "data-ints": {"object": "list", "data": [1, 2], "first_id": None, "last_id": None, "has_more": False},
    "data-null": {"object": "list", "data": None, "first_id": None, "last_id": None, "has_more": False},
    "data-item-without-id": {
        "object": "list",
        "data": [{k: v for k, v in run_payload().items() if k != "id"}],
        "first_id": None,
        "last_id": None,
        "has_more": False,
    },
    "missing-data": {"object": "list", "first_id": None, "last_id": None, "has_more": False},
    "array": [run_payload()],
}


@pytest.mark.scenario("faults.wrong-shape-2xx")
@pytest.mark.parametrize("name", sorted(WRONG_RUNS))
def test_wrong_shape_run(runner: Runner, server: RunsServer, name: str) -> None:
    target = Target(server)
    headers = {"content-type": "application/json"}
    server.faults.add(200, body=_json_bytes(WRONG_RUNS[name]), headers=headers, method="POST", path="/runs")
    outcome = seeded_call(runner, runner.client(server.url), "json", target, within=5)
    expect_error(outcome, threadruns.APIResponseValidationError)


@pytest.mark.scenario("faults.wrong-shape-2xx")
@pytest.mark.parametrize("name", sorted(WRONG_LISTS))
def test_wrong_shape_list(runner: Runner, server: RunsServer, name: str) -> None:
    target = Target(server)
    server.faults.add(200, body=WRONG_LISTS[name], method="GET", path="/runs")
    client = runner.client(server.url)
    outcome = runner.attempt(lambda: client.runs.list(target.thread_id), within=5)
    expect_error(outcome, threadruns.APIResponseValidationError)


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value).encode()


@pytest.mark.scenario("faults.wrong-id-type-2xx")
@pytest.mark.parametrize("bad_id", [None, 5, "a/b"], ids=["null", "int", "slash"])
def test_created_run_with_a_bad_id(runner: Runner, server: RunsServer, bad_id: object) -> None:
    target = Target(server)
    server.faults.add(200, body=run_payload(id=bad_id, status="queued"), method="POST", path="/runs")
    client = runner.client(server.url)
    outcome = runner.attempt(
        lambda: client.runs.create_and_poll(
            thread_id=target.thread_id, assistant_id=target.assistant_id, poll_interval_ms=10
        ),
        within=5,
    )
    expect_error(outcome, threadruns.APIResponseValidationError)


# ----------------------------------------------------------------------------- streams


@pytest.mark.scenario("faults.sse-error-event")
def test_sse_error_event(runner: Runner, server: RunsServer) -> None:
    target = Target(server)
    server.faults.error_event(after_events=1, message="The model crashed.", code="server_error")
    outcome = seeded_call(runner, runner.client(server.url), "stream", target, within=5)
    error = expect_error(outcome, threadruns.APIError)
    assert "The model crashed." in str(error)
    assert error.code == "server_error"
    assert [event.event for event in outcome.events] == ["thread.run.created"]


@pytest.mark.scenario("faults.stream-without-done")
def test_stream_without_done(runner: Runner, server: RunsServer) -> None:
    target = Target(server)
    server.faults.cut_stream(after_events=2)
    outcome = seeded_call(runner, runner.client(server.url), "stream", target, within=5)
    error = expect_error(outcome, threadruns.APIConnectionError)
    assert "ended early" in str(error)
    assert len(outcome.events) == 2


def _hostile_message() -> dict[str, Any]:
    return {
        "id": ["msg", 1],
        "object": "thread.message",
        "created_at": 1,
        "thread_id": "thread_1",
        "status": "completed",
        "incomplete_details": None,
        "completed_at": 1,
        "incomplete_at": None,
        "role": "assistant",
        "content": [],
        "assistant_id": "asst_1",
        "run_id": "run_1",
        "attachments": [],
        "metadata": {},
    }


@pytest.mark.scenario("faults.stream-hostile-payloads")
def test_stream_event_nested_too_deep(runner: Runner, server: RunsServer) -> None:
    target = Target(server)
    body = RUN_FRAMES[0] + b"event: thread.run.in_progress\ndata: " + b"[" * 100_000 + b"]" * 100_000 + b"\n\n"
    server.faults.add(200, body=body, headers={"content-type": "text/event-stream"}, method="POST", path="/runs")
    outcome = seeded_call(runner, runner.client(server.url), "stream", target, within=5)
    expect_error(outcome, threadruns.APIResponseValidationError)


@pytest.mark.scenario("faults.stream-hostile-payloads")
def test_stream_message_with_unhashable_id(runner: Runner, server: RunsServer) -> None:
    target = Target(server)
    body = RUN_FRAMES[0] + sse_frame("thread.message.completed", _hostile_message()) + COMPLETED_FRAME
    server.faults.add(200, body=body, headers={"content-type": "text/event-stream"}, method="POST", path="/runs")
    outcome = seeded_call(runner, runner.client(server.url), "stream", target, within=5)
    error = expect_error(outcome, threadruns.APIResponseValidationError)
    assert "thread.message.completed" in str(error)


# ----------------------------------------------------------------------------- redirects


@pytest.mark.scenario("faults.redirect-not-followed")
@pytest.mark.parametrize("status", [302, 307])
def test_redirect_is_not_followed(runner: Runner, kind: Kind, server: RunsServer, status: int) -> None:
    target = Target(server)
    with RawServer([_good_answer(kind)], host=second_loopback_host()) as other:
        location = f"{other.base_url}/threads/{target.thread_id}/runs"
        server.faults.add(status, headers={"location": location}, method="POST", path="/runs")
        outcome = seeded_call(runner, runner.client(server.url, max_retries=2), kind, target, within=5)
    error = expect_error(outcome, threadruns.APIStatusError)
    assert error.status_code == status
    assert other.connections == 0
    assert target.posts() == 1


@pytest.mark.scenario("faults.redirect-strips-auth")
@pytest.mark.parametrize("status", [302, 307])
def test_followed_redirect_drops_authorization(runner: Runner, kind: Kind, server: RunsServer, status: int) -> None:
    target = Target(server)
    with RawServer([_good_answer(kind)], host=second_loopback_host()) as other:
        location = f"{other.base_url}/threads/{target.thread_id}/runs"
        server.faults.add(status, headers={"location": location}, method="POST", path="/runs")
        http = runner.http_client(follow_redirects=True, timeout=5.0)
        client = runner.client(server.url, http_client=http)
        outcome = seeded_call(runner, client, kind, target, within=5)
    expect_success(outcome)
    assert other.connections == 1
    (received,) = other.requests
    assert received.headers.get("openai-beta") == "assistants=v2", received.headers  # the SDK's request
    assert "authorization" not in received.headers, received.headers
    assert not find_leaks([bytes(other.received).decode("latin-1")]), "the key reached the redirect target"
    assert received.request_line.startswith("POST" if status == 307 else "GET")
