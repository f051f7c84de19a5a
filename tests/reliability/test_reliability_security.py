"""Secrets and request integrity: the API key never shows up where people look (reprs, exceptions, logs,
raw responses), no caller input changes a request's path or query, plain http to a remote host is
flagged, and the embedded server stays on loopback and never repeats a credential back.

The key is a distinctive string; everything captured is searched for it and for its part after ``sk-``.
"""

from __future__ import annotations

import logging
import socket
import traceback
import urllib.parse
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from reliability_kit import (
    API_KEY,
    Runner,
    closed_port,
    exception_texts,
    find_leaks,
    second_loopback_host,
)

import threadruns
from threadruns.server import RunsServer, Script

LOGGERS = ("threadruns", "threadruns.server", "httpx", "httpcore", "uvicorn", "uvicorn.error", "uvicorn.access")


@pytest.fixture
def server() -> Iterator[RunsServer]:
    with RunsServer() as running:
        yield running


def _all_log_text(caplog: pytest.LogCaptureFixture) -> list[str]:
    texts = [caplog.text]
    for record in caplog.records:
        texts += [record.getMessage(), repr(record.args), record.name]
        if record.exc_info and record.exc_info[1] is not None:
            texts += traceback.format_exception(record.exc_info[1])
    return texts


def _debug_everything(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)


# ----------------------------------------------------------------------------- reprs


@pytest.mark.scenario("security.client-repr")
def test_client_reprs_hold_no_key(runner: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    explicit = runner.client("https://api.example.com/v1", organization="org-1", project="proj-1")
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    cls = threadruns.AsyncClient if runner.is_async else threadruns.Client
    from_env = cls(base_url="https://api.example.com/v1")
    try:
        for client in (explicit, from_env):
            assert client.api_key == API_KEY  # the key is there, just not shown
            texts = [
                repr(client),
                str(client),
                format(client),
                repr(client.runs),
                repr(client.runs.steps),
                repr(client.runs.with_raw_response),
                repr(client.timeout),
                repr(client.base_url),
            ]
            assert not find_leaks(texts), find_leaks(texts)
            assert "api.example.com" in repr(client)
    finally:
        runner.run(from_env.close, within=5)


# ----------------------------------------------------------------------------- exceptions


def _failures(runner: Runner, server: RunsServer) -> list[BaseException]:
    """One exception of each kind the client raises, all from calls carrying API_KEY."""
    thread_id = server.add_thread(messages=["Hello"])
    assistant_id = server.add_assistant(script=Script.reply("Hi"))
    client = runner.client(server.url, max_retries=0, timeout=0.5)
    errors: list[BaseException] = []

    def failing(call: Any) -> None:
        outcome = runner.attempt(call, within=10)
        assert isinstance(outcome.error, threadruns.ThreadRunsError), outcome
        errors.append(outcome.error)

    def failing_stream(call: Any) -> None:
        outcome = runner.attempt_stream(call, within=10)
        assert isinstance(outcome.error, threadruns.ThreadRunsError), outcome
        errors.append(outcome.error)

    failing(lambda: client.runs.retrieve("run_missing", thread_id=thread_id))  # 404
    server.faults.add(401, method="GET")
    failing(lambda: client.runs.list(thread_id))
    server.faults.add(500, method="GET", body={"error": {"message": "boom", "type": "server_error"}})
    failing(lambda: client.runs.list(thread_id))
    server.faults.add(429, method="GET", headers={"retry-after": "0"})
    failing(lambda: client.runs.list(thread_id))
    # Each run on a thread of its own: a run these faults interrupt stays active, and a thread runs one at a time.
    server.faults.malformed_body(method="POST", path="/runs")
    failing(lambda: client.runs.create(server.add_thread(), assistant_id=assistant_id))
    server.faults.latency(1.0, method="GET")
    failing(lambda: client.runs.list(thread_id))
    server.faults.error_event(after_events=1)
    failing_stream(lambda: client.runs.stream(thread_id=server.add_thread(), assistant_id=assistant_id))
    server.faults.cut_stream(after_events=1)
    failing_stream(lambda: client.runs.stream(thread_id=server.add_thread(), assistant_id=assistant_id))
    refused = runner.client(f"http://127.0.0.1:{closed_port()}/v1", max_retries=0)
    failing(lambda: refused.runs.list(thread_id))
    failing(lambda: client.runs.poll("run_missing", thread_id, poll_timeout=5))
    return errors


@pytest.mark.scenario("security.exceptions")
def test_exceptions_and_their_chains_hold_no_key(runner: Runner, server: RunsServer) -> None:
    errors = _failures(runner, server)
    kinds = {type(error).__name__ for error in errors}
    assert {"NotFoundError", "AuthenticationError", "InternalServerError", "RateLimitError"} <= kinds
    assert {"APIResponseValidationError", "APITimeoutError", "APIError", "APIConnectionError"} <= kinds
    for error in errors:
        texts = exception_texts(error) + traceback.format_exception(error)
        assert not find_leaks(texts), f"{type(error).__name__}: {find_leaks(texts)}"


# ----------------------------------------------------------------------------- logs


@pytest.mark.scenario("security.debug-logs")
def test_debug_logs_hold_no_key(
    runner: Runner, server: RunsServer, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    _debug_everything(caplog)
    thread_id = server.add_thread(messages=["Hello"])
    assistant_id = server.add_assistant(script=Script.reply("Hi"))
    client = runner.client(server.url, max_retries=1, organization="org-secret-org", project="proj-secret-proj")
    run = runner.run(lambda: client.runs.create_and_poll(thread_id=thread_id, assistant_id=assistant_id), within=10)
    assert str(run.status) == "completed"
    server.faults.add(503, method="GET", headers={"retry-after-ms": "10"})
    runner.run(lambda: client.runs.retrieve(run.id, thread_id=thread_id), within=10)  # one retry, logged at INFO
    runner.attempt(lambda: client.runs.retrieve("run_missing", thread_id=thread_id), within=10)
    runner.attempt_stream(lambda: client.runs.stream(thread_id=thread_id, assistant_id=assistant_id), within=10)
    texts = _all_log_text(caplog)
    out, err = capfd.readouterr()
    assert not find_leaks([*texts, out, err]), find_leaks([*texts, out, err])
    assert not find_leaks([*texts, out, err], "org-secret-org")
    assert not find_leaks([*texts, out, err], "proj-secret-proj")
    # The capture really saw the traffic: the client's request log (redacted) and httpx's own lines.
    assert any("<redacted>" in record.getMessage() for record in caplog.records if record.name == "threadruns")
    assert any(record.name == "httpx" for record in caplog.records)
    assert any("Retrying" in record.getMessage() for record in caplog.records)


# ----------------------------------------------------------------------------- raw responses


@pytest.mark.scenario("security.raw-response-repr")
def test_raw_responses_hold_no_key_in_their_repr(runner: Runner, server: RunsServer) -> None:
    thread_id = server.add_thread(messages=["Hello"])
    assistant_id = server.add_assistant()
    client = runner.client(server.url)
    raw_runs = client.runs.with_raw_response
    created = runner.run(lambda: raw_runs.create(thread_id, assistant_id=assistant_id), within=10)
    run = created.parse()
    responses = [
        created,
        runner.run(lambda: raw_runs.retrieve(run.id, thread_id=thread_id), within=10),
        runner.run(lambda: raw_runs.list(thread_id), within=10),
        runner.run(lambda: raw_runs.steps.list(run.id, thread_id=thread_id), within=10),
    ]
    for response in responses:
        texts = [repr(response), str(response), repr(response.headers), response.text(), repr(response.parse())]
        texts.append(repr(response.http_response))
        assert not find_leaks(texts), find_leaks(texts)
        assert response.request_id and response.request_id.startswith("req_")


# ----------------------------------------------------------------------------- request integrity

ODD_IDS = [
    "a%2Fb",
    "a%3Fq=1",
    "a%23frag",
    "%2e%2e",
    "a;b=c",
    "a\\b",
    "a&limit=1000",
    "x+y",
    "caf\u00e9",
    "\u65e5\u672c",
    "a\uff0fb",
    "a'\"<b>",
    "~user",
    "a@b:c",
    "-",
]
DOCUMENTED_QUERY = {"limit", "order", "after", "before", "include[]"}


def _segments(path: str, prefix: str) -> list[str]:
    assert path.startswith(prefix + "/"), path
    return path[len(prefix) + 1 :].split("/")


@pytest.mark.scenario("security.path-injection")
@pytest.mark.parametrize("odd", ODD_IDS)
def test_odd_ids_stay_inside_their_path_segment(runner: Runner, server: RunsServer, odd: str) -> None:
    client = runner.client(server.url, max_retries=0)
    calls: list[tuple[Any, list[str], dict[str, str]]] = [
        (lambda: client.runs.retrieve("run_1", thread_id=odd), ["threads", odd, "runs", "run_1"], {}),
        (lambda: client.runs.retrieve(odd, thread_id="thread_1"), ["threads", "thread_1", "runs", odd], {}),
        (lambda: client.runs.cancel(odd, thread_id="thread_1"), ["threads", "thread_1", "runs", odd, "cancel"], {}),
        (
            lambda: client.runs.update(odd, thread_id=odd, metadata={"k": "v"}),
            ["threads", odd, "runs", odd],
            {},
        ),
        (lambda: client.runs.create(odd, assistant_id=odd), ["threads", odd, "runs"], {}),
        (
            lambda: client.runs.submit_tool_outputs(
                odd, thread_id="t", tool_outputs=[{"tool_call_id": odd, "output": odd}]
            ),
            ["threads", "t", "runs", odd, "submit_tool_outputs"],
            {},
        ),
        (
            lambda: client.runs.steps.retrieve(odd, thread_id=odd, run_id=odd),
            ["threads", odd, "runs", odd, "steps", odd],
            {},
        ),
        (lambda: client.runs.list(odd, after=odd, limit=5), ["threads", odd, "runs"], {"after": odd, "limit": "5"}),
        (
            lambda: client.runs.steps.list(odd, thread_id="t", before=odd),
            ["threads", "t", "runs", odd, "steps"],
            {"before": odd},
        ),
    ]
    for call, segments, query in calls:
        before = len(server.requests)
        outcome = runner.attempt(call, within=10)
        assert isinstance(outcome.error, threadruns.NotFoundError | threadruns.BadRequestError | type(None)), (
            outcome.error
        )
        sent = server.requests[before:]
        assert len(sent) == 1, sent
        assert _segments(sent[0].path, server.prefix) == segments, sent[0].path
        parsed = urllib.parse.parse_qs(sent[0].query, keep_blank_values=True)
        assert set(parsed) <= DOCUMENTED_QUERY, parsed
        assert {key: values[0] for key, values in parsed.items()} == query, parsed
        assert all(len(values) == 1 for values in parsed.values()), parsed


@pytest.mark.scenario("security.plain-http-warning")
@pytest.mark.parametrize(
    ("base_url", "warns"),
    [
        ("http://api.example.com/v1", True),
        ("http://10.0.0.5:8000/v1", True),
        ("http://localhost.evil.example/v1", True),
        ("http://0.0.0.0:8000/v1", True),
        ("https://api.example.com/v1", False),
        ("http://localhost:8000/v1", False),
        ("http://127.0.0.1:8000/v1", False),
        ("http://127.0.0.2:8000/v1", False),
        ("http://[::1]:8000/v1", False),
    ],
)
def test_plain_http_to_a_remote_host_warns(
    runner: Runner, caplog: pytest.LogCaptureFixture, base_url: str, warns: bool
) -> None:
    caplog.set_level(logging.WARNING, logger="threadruns")
    runner.client(base_url)
    warnings = [r for r in caplog.records if r.name == "threadruns" and r.levelno == logging.WARNING]
    assert len(warnings) == (1 if warns else 0), [r.getMessage() for r in warnings]
    if warns:
        host = httpx.URL(base_url).host
        assert host in warnings[0].getMessage()
        assert "unencrypted" in warnings[0].getMessage()
    assert not find_leaks(_all_log_text(caplog))


# ----------------------------------------------------------------------------- the embedded server


@pytest.mark.scenario("security.server-loopback")
def test_server_binds_loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    with RunsServer() as running:
        assert running.host == "127.0.0.1"
        assert running.url.startswith("http://127.0.0.1:")
        with socket.create_connection(("127.0.0.1", running.port), timeout=2):
            pass
        other = second_loopback_host()
        if other != "localhost":  # another loopback address: nothing listens there
            with pytest.raises(OSError), socket.create_connection((other, running.port), timeout=2):
                pass

    hosts: list[str] = []

    def fake_run(self: uvicorn.Server, sockets: Any = None) -> None:
        hosts.append(self.config.host)

    monkeypatch.setattr(uvicorn.Server, "run", fake_run)
    from threadruns.server import serve

    serve(port=0)
    from threadruns import _cli

    captured: list[dict[str, Any]] = []
    monkeypatch.setattr("threadruns.server.serve", lambda **kwargs: captured.append(kwargs))
    assert _cli.main(["serve"]) == 0
    assert hosts == ["127.0.0.1"]
    assert captured and captured[0]["host"] == "127.0.0.1"


WRONG_KEY = "sk-WRONG-distinctive-Zq9XvB"


@pytest.mark.scenario("security.server-no-auth-echo")
def test_server_never_echoes_a_credential(caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]) -> None:
    with RunsServer(api_key="sk-server-right-key") as running:
        _debug_everything(caplog)
        thread_id = running.add_thread(messages=["Hello"])
        url = f"{running.url}/threads/{thread_id}/runs"
        answers: list[httpx.Response] = []
        with httpx.Client(timeout=5) as http:
            for authorization in (
                f"Bearer {WRONG_KEY}",
                f"Basic {WRONG_KEY}",
                f"bearer {WRONG_KEY}",
                WRONG_KEY,
                f"Bearer {WRONG_KEY} {WRONG_KEY}",
                f"Token {WRONG_KEY}",
            ):
                answers.append(http.get(url, headers={"Authorization": authorization}))
                answers.append(http.post(url, headers={"Authorization": authorization}, json={"assistant_id": "a"}))
        with threadruns.Client(api_key=WRONG_KEY, base_url=running.url, max_retries=0) as client:
            with pytest.raises(threadruns.AuthenticationError) as info:
                client.runs.list(thread_id)
            error = info.value
        recorded = repr(running.requests)
    for answer in answers:
        assert answer.status_code == 401, answer.text
        body = answer.json()
        assert set(body) == {"error"} and set(body["error"]) == {"message", "type", "param", "code"}, body
        texts = [answer.text, repr(dict(answer.headers))]
        assert not find_leaks(texts, WRONG_KEY), texts
    assert error.status_code == 401
    assert not find_leaks(exception_texts(error), WRONG_KEY)
    assert not find_leaks([recorded], WRONG_KEY), "the request log kept the Authorization value"
    out, err = capfd.readouterr()
    assert not find_leaks([*_all_log_text(caplog), out, err], WRONG_KEY)
    assert not find_leaks([*_all_log_text(caplog), out, err], "sk-server-right-key")
    assert any(record.name == "threadruns.server" for record in caplog.records), "server logs were not captured"


@pytest.mark.scenario("security.malformed-key")
@pytest.mark.parametrize("suffix", ["\n", " ", "\x00"], ids=["newline", "space", "nul"])
def test_a_malformed_key_is_refused_without_echoing_it(
    runner: Runner, server: RunsServer, caplog: pytest.LogCaptureFixture, suffix: str
) -> None:
    _debug_everything(caplog)
    key = API_KEY + suffix
    try:
        client = runner.client(server.url, api_key=key, max_retries=1)
    except (ValueError, TypeError, threadruns.ThreadRunsError) as refused:
        assert "api_key" in str(refused)
        assert not find_leaks(exception_texts(refused) + traceback.format_exception(refused))
        return
    outcome = runner.attempt(lambda: client.runs.list("thread_1"), within=10)
    assert outcome.error is not None
    leaks = find_leaks(exception_texts(outcome.error) + traceback.format_exception(outcome.error))
    assert not leaks, f"the key leaked through {type(outcome.error).__name__}'s chain: {leaks[:1]}"
    assert not find_leaks(_all_log_text(caplog)), "the key leaked into the debug log"
