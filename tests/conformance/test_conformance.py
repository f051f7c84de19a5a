"""`threadruns conformance`: 100% on the embedded server, and each known flaw reported as exactly itself."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest
from threadruns_api.resources._operations import POLL_AFTER_MS_HEADER, REQUEST_ID_HEADER

import threadruns
from threadruns._cli import main
from threadruns.conformance import PLAN, Report, check
from threadruns.server import DEVIATIONS, RunsServer, Script, ToolCall

FIELDS = {"fields match the spec", "payloads match the spec"}

# Each flaw the embedded server reproduces -> (the checks that must deviate, a pattern every finding in
# such a row's detail matches, the outcome of those rows). Every other check must pass.
EXPECTED: dict[str, tuple[set[str], str, str]] = {
    "no-parallel-tool-calls": (FIELDS, "parallel_tool_calls: missing key, spec default", "deviation"),
    "no-usage": (FIELDS, "usage: missing key", "deviation"),
    "null-model": (FIELDS, "model: null", "deviation"),
    "created-at-ms": (FIELDS, "created_at: not unix seconds", "deviation"),
    "has-more-false": (
        {"has_more on a partial page", "a walk with limit=2 reaches every run once"},
        "",
        "deviation",
    ),
    "inverted-cursors": (
        {"order=desc, after= gives the runs after the cursor", "order=desc, before= gives the runs before the cursor"},
        "expected",
        "deviation",
    ),
    "500-for-unknown-ids": ({"an unknown run id is a 404"}, "got 500", "deviation"),
    "detail-errors": (
        {"the error body matches the spec"},
        r"^ErrorResponse\.(error: missing key|detail: extra key)",
        "deviation",
    ),
    "no-cancel": ({"an active run can be cancelled"}, "501", "not supported"),
    "stream-ignored": ({"content type text/event-stream"}, "stream: true was ignored", "deviation"),
    "foreign-events": ({"event names are Assistants events"}, r"\['message'\].*chat\.completion\.chunk", "deviation"),
    "tools-ignored": ({"a tool assistant's run requires action"}, "without asking for tool outputs", "deviation"),
    "no-auth": ({"a request without an API key is a 401"}, "2xx", "deviation"),
    "no-request-id": ({f"{REQUEST_ID_HEADER} header"}, REQUEST_ID_HEADER, "deviation"),
    "no-poll-header": ({f"{POLL_AFTER_MS_HEADER} header"}, POLL_AFTER_MS_HEADER, "deviation"),
}


def _server(*deviations: str, **options: object) -> RunsServer:
    """Manual time by default: each poll moves a run on, so no check races the clock."""
    server = RunsServer(auto_create=True, deviations=deviations, **options)  # type: ignore[arg-type]
    server.add_assistant("asst_tools", script=Script.call_tools([ToolCall("get_weather", {"city": "Oslo"})]))
    return server


def _check(server: RunsServer, **options: object) -> Report:
    with threadruns.Client(api_key="sk-test", base_url=server.url) as client:
        return check(client, assistant_id="asst_conformance", tool_assistant_id="asst_tools", **options)  # type: ignore[arg-type]


@pytest.fixture
def server() -> Iterator[RunsServer]:
    with _server() as running:
        yield running


def test_the_embedded_server_passes_every_check(server: RunsServer) -> None:
    report = _check(server)
    assert report.ok and not report.unsupported, report.table()
    assert len(report.results) >= 60
    operations = {r.operation for r in report.results}
    for operation in (
        "create",
        "poll",
        "retrieve",
        "update",
        "cancel",
        "list",
        "stream",
        "steps.list",
        "steps.retrieve",
        "messages.list",
        "messages.retrieve",
        "submit_tool_outputs",
        "submit_tool_outputs (stream)",
        "retrieve (unknown id)",
        "list (bad limit)",
        "list (no API key)",
    ):
        assert operation in operations, operation
    assert report.summary() == f"{len(report.results)} checks, 0 deviations, 0 not supported"
    assert 0 < report.seconds < 30


def test_every_operation_of_the_spec_is_exercised(server: RunsServer) -> None:
    """Each operation the spec has (generated into _operations) is called at least once."""
    from threadruns_api.resources import _operations

    from threadruns._operation import Operation

    _check(server)
    operations = [op for op in vars(_operations).values() if isinstance(op, Operation)]
    assert len(operations) >= 10
    called = [(r.method, r.path.removeprefix("/v1")) for r in server.requests]
    for op in operations:
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", op.path) + "$")
        assert any(method == op.method and pattern.match(path) for method, path in called), op.id


def test_the_embedded_server_passes_every_check_in_wall_clock_time() -> None:
    """As `threadruns serve` runs: states last a tick of real time (long enough that a cancel is in time)."""
    with _server(time_mode="realtime", tick=0.2) as running:
        report = _check(running)
    assert report.ok and not report.unsupported, report.table()


def test_every_flaw_the_server_reproduces_has_its_expectation() -> None:
    assert set(EXPECTED) == set(DEVIATIONS)


@pytest.mark.parametrize("name", sorted(DEVIATIONS))
def test_each_flaw_is_reported_as_exactly_that_flaw(name: str) -> None:
    checks, text, outcome = EXPECTED[name]
    with _server(name) as server:
        report = _check(server)
    flagged = [r for r in report.results if r.outcome != "pass"]
    assert flagged, report.table()
    assert {r.check for r in flagged} == checks, report.table()
    for row in flagged:
        assert row.outcome == outcome, row
        for part in row.detail.split("; "):  # every finding in the row is this flaw, nothing else
            assert re.search(text, part), (row, part)
        if outcome == "deviation":
            assert row.clients_see, row
    assert report.ok is (outcome != "deviation")


def test_a_field_flaw_is_found_in_every_answer_that_carries_a_run() -> None:
    with _server("null-model") as server:
        report = _check(server)
    flagged = {r.operation for r in report.deviations}
    assert flagged >= {"create", "poll", "retrieve", "update", "cancel", "list", "stream", "submit_tool_outputs"}
    first = report.deviations[0]
    assert first.detail == "RunObject.model: null, the spec allows string"
    assert "threadruns raises APIResponseValidationError naming `model`" in first.clients_see
    assert "openai-python" in first.clients_see


def test_flaws_combine(server: RunsServer) -> None:
    with _server("no-usage", "has-more-false") as flawed:
        report = _check(flawed)
    checks = {r.check for r in report.deviations}
    assert checks == FIELDS | EXPECTED["has-more-false"][0]


def test_without_a_tool_assistant_the_tool_path_is_not_supported(
    server: RunsServer, caplog: pytest.LogCaptureFixture
) -> None:
    with threadruns.Client(api_key="sk-test", base_url=server.url) as client:
        report = check(client, assistant_id="asst_conformance")
    assert not [r for r in caplog.records if r.name.startswith("threadruns")]  # findings go to the report only
    assert report.ok and [(r.operation, r.detail) for r in report.unsupported] == [
        ("submit_tool_outputs", "not checked: no tool assistant given")
    ]


class Proxy(httpx.HTTPTransport):
    """The real server's JSON answers with a change a real server might make: ``edit(body)``."""

    def __init__(self, edit: object) -> None:
        super().__init__()
        self.edit = edit

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if "json" not in response.headers.get("content-type", ""):
            return response
        response.read()
        body = json.loads(response.content)
        self.edit(body)  # type: ignore[operator]
        headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-encoding")}
        return httpx.Response(response.status_code, json=body, headers=headers, request=request)


def _runs_in(body: object) -> list[dict[str, object]]:
    items = [body, *(body.get("data") or [])] if isinstance(body, dict) else []
    return [item for item in items if isinstance(item, dict) and item.get("object") == "thread.run"]


def _shift_start(run: dict[str, object]) -> None:
    if isinstance(run.get("started_at"), int) and isinstance(run.get("created_at"), int):
        run["started_at"] = run["created_at"] - 60  # type: ignore[operator]


@pytest.mark.parametrize(
    ("edit", "expected", "also"),
    [
        (lambda run: run.update(expires_at="soon"), "RunObject.expires_at: wrong type, expected integer", set()),
        (_shift_start, "RunObject.started_at: out of order, ", set()),
        (
            lambda run: run.update(tools=[{"type": "function"}]),
            "RunObject.tools[*].function: missing key",
            {"the run keeps the tools given"},  # the probe tool comes back without its function
        ),
    ],
)
def test_the_audit_names_the_field_and_the_kind_of_flaw(
    server: RunsServer, edit: object, expected: str, also: set[str]
) -> None:
    def apply(body: object) -> None:
        for run in _runs_in(body):
            edit(run)  # type: ignore[operator]

    http = httpx.Client(transport=Proxy(apply))
    with threadruns.Client(api_key="sk-test", base_url=server.url, http_client=http) as client:
        report = check(client, assistant_id="asst_conformance", tool_assistant_id="asst_tools", poll_timeout=10)
    http.close()
    assert any(r.detail.startswith(expected) for r in report.deviations), report.table()
    assert {r.check for r in report.deviations} <= FIELDS | also, report.table()


def test_what_the_spec_allows_is_not_a_deviation_and_a_key_it_does_not_list_is_a_note(server: RunsServer) -> None:
    """A tool of a type the spec does not list yet is forward compatible; an extra key is allowed (objects are
    open in OpenAPI), so the report notes it on the passing row instead of failing."""

    def apply(body: object) -> None:
        for run in _runs_in(body):
            tools = run["tools"]
            assert isinstance(tools, list)
            run["tools"] = [*tools, {"type": "web_browser"}]
            run["vendor_trace"] = "x"

    http = httpx.Client(transport=Proxy(apply))
    with threadruns.Client(api_key="sk-test", base_url=server.url, http_client=http) as client:
        report = check(client, assistant_id="asst_conformance", tool_assistant_id="asst_tools")
    http.close()
    assert report.ok, report.table()
    noted = [r for r in report.results if r.note]
    assert noted and all("RunObject.vendor_trace: extra key" in r.note or "vendor_trace" in r.note for r in noted)
    assert "note: keys the spec does not list (allowed): RunObject.vendor_trace" in report.table()


def test_bad_arguments_are_refused_before_anything_is_sent(server: RunsServer) -> None:
    with threadruns.Client(api_key="sk-test", base_url=server.url) as client:
        with pytest.raises(ValueError, match="assistant_id"):
            check(client, assistant_id="")
        with pytest.raises(TypeError, match="thread_id must be a str, got int"):
            check(client, assistant_id="asst_c", thread_id=7)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="tool_assistant_id must not contain whitespace"):
            check(client, assistant_id="asst_c", tool_assistant_id="asst tools")
        with pytest.raises(ValueError, match="poll_timeout"):
            check(client, assistant_id="asst_c", poll_timeout=0)
        with pytest.raises(TypeError, match=r"client must be a threadruns\.Client"):
            check(threadruns.AsyncClient(api_key="k", base_url=server.url), assistant_id="asst_c")  # type: ignore[arg-type]
    assert server.requests == []


def test_the_server_refuses_an_unknown_flaw() -> None:
    with pytest.raises(ValueError, match="unknown deviations \\['bogus'\\]; known: no-parallel-tool-calls"):
        RunsServer(deviations=["bogus"])
    with pytest.raises(TypeError, match="list of names"):
        RunsServer(deviations="null-model")


def test_the_command_prints_the_table_json_and_junit_and_exits_by_the_outcome(
    server: RunsServer, tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["conformance", "--base-url", server.url, "--api-key", "sk-test", "--assistant", "asst_c"]
    out = io.StringIO()
    junit = f"{tmp_path}/conformance.xml"
    code = main([*args, "--tool-assistant", "asst_tools", "--junit", junit], out=out)
    assert code == 0 and out.getvalue().strip().endswith("0 deviations, 0 not supported")
    assert PLAN in capsys.readouterr().err  # said up front
    suite = ElementTree.parse(junit).getroot()
    assert suite.get("failures") == "0" and int(suite.get("tests") or 0) == len(suite.findall("testcase")) >= 60
    out = io.StringIO()
    code = main([*args, "--json"], out=out)  # without a tool assistant: that path is not supported, not a deviation
    report = json.loads(out.getvalue())
    assert code == 0 and report["summary"].endswith("0 deviations, 1 not supported")
    assert report["checks"] == len(report["results"]) and report["base_url"] == server.url
    assert all(r["outcome"] == "pass" for r in report["results"] if r["operation"] != "submit_tool_outputs")


def test_a_deviation_fails_the_command_and_is_a_junit_failure(tmp_path: object) -> None:
    with _server("null-model") as server:
        out = io.StringIO()
        junit = f"{tmp_path}/conformance.xml"
        args = ["conformance", "--base-url", server.url, "--api-key", "k", "--assistant", "a", "--junit", junit]
        code = main(args, out=out)
    assert code == 1
    text = out.getvalue()
    assert "deviation" in text and "clients see: threadruns raises APIResponseValidationError naming `model`" in text
    suite = ElementTree.parse(junit).getroot()
    failures = suite.findall("testcase/failure")
    assert failures and int(suite.get("failures") or 0) == len(failures)
    assert all("model: null" in (f.get("message") or "") for f in failures)


def test_serve_deviate_shows_the_flaw_to_the_conformance_command(serve_command: Any) -> None:
    """What the README tells users to try: `threadruns serve --deviate NAME`, then `threadruns conformance`."""
    cli = [sys.executable, "-m", "threadruns._cli"]
    listed = subprocess.run([*cli, "serve", "--list-deviations"], capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0 and all(name in listed.stdout for name in DEVIATIONS)
    _, port = serve_command("--time-mode", "manual", "--log-level", "warning", "--deviate", "has-more-false")
    url = f"http://127.0.0.1:{port}/v1"
    demo = ["--assistant", "asst_echo", "--tool-assistant", "asst_weather", "--thread", "thread_demo"]
    ran = subprocess.run(
        [*cli, "conformance", "--base-url", url, "--api-key", "k", *demo, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 1, ran.stderr
    report = json.loads(ran.stdout)
    assert {r["check"] for r in report["results"] if r["outcome"] != "pass"} == EXPECTED["has-more-false"][0]


def _readme_section() -> str:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    return text.split("## Checking a compatible server", 1)[1].split("\n## ", 1)[0]


def test_the_readme_report_is_what_the_command_reports() -> None:
    """The README's example report: its flaws, deviation lines and summary are a real report's."""
    section = _readme_section()
    command = section.split("```sh\n")[2].split("```", 1)[0]
    flaws = re.findall(r"--deviate (\S+)", command)
    with _server(*flaws) as server:
        report = _check(server)
    example = section.split("```text\n", 1)[1].split("```", 1)[0]
    rows = [re.split(r"\s{2,}", line.strip(), maxsplit=2) for line in example.splitlines()]
    shown = [(row[0], row[2]) for row in rows if len(row) == 3 and row[1] == "deviation"]
    real = {(r.operation, f"{r.check}: {r.detail}") for r in report.deviations}
    assert shown and set(shown) <= real
    clients = [line.split("clients see: ", 1)[1] for line in example.splitlines() if "clients see: " in line]
    assert set(clients) <= {r.clients_see for r in report.deviations}
    assert example.strip().endswith(report.summary())


def test_the_readme_states_the_number_of_checks(server: RunsServer) -> None:
    report = _check(server)
    assert f"passes all {len(report.results)} checks" in _readme_section()
    for name in DEVIATIONS:  # every flaw it can reproduce is named where --deviate is explained
        assert (
            name
            in subprocess.run(
                [sys.executable, "-m", "threadruns._cli", "serve", "--list-deviations"],
                capture_output=True,
                text=True,
                timeout=60,
            ).stdout
        )


def test_the_terminal_table_colours_each_outcome() -> None:
    from rich.console import Console

    with _server("no-cancel", "no-auth") as server:
        report = _check(server)
    console = Console(record=True, width=200, color_system="truecolor")
    console.print(report.rich_table())
    text = console.export_text(styles=True)
    assert report.summary() in text
    assert "\x1b[1;31mdeviation" in text and "\x1b[33mnot supported" in text and "\x1b[32mpass" in text


def test_a_new_thread_command_gives_the_thread_on_a_server_that_creates_none() -> None:
    with RunsServer() as server:  # no auto-create: the thread and the assistants must exist
        server.add_thread("thread_made_elsewhere")
        server.add_assistant("asst_c")
        server.add_assistant("asst_tools", script=Script.call_tools([ToolCall("get_weather", {"city": "Oslo"})]))
        args = ["conformance", "--base-url", server.url, "--api-key", "k", "--assistant", "asst_c"]
        args += ["--tool-assistant", "asst_tools", "--json"]
        printer = f'{sys.executable} -c \'print("{{\\"id\\": \\"thread_made_elsewhere\\"}}")\''
        out = io.StringIO()
        code = main([*args, "--new-thread-command", printer], out=out)
        assert code == 0, out.getvalue()
        assert json.loads(out.getvalue())["summary"].endswith("0 deviations, 0 not supported")
        assert {r.path.split("/")[3] for r in server.requests if r.path.count("/") >= 3} == {"thread_made_elsewhere"}
        seen = len(server.requests)
        failing = f"{sys.executable} -c 'import sys; sys.exit(\"no threads today\")'"
        assert main([*args, "--new-thread-command", failing], out=io.StringIO()) == 1
        assert len(server.requests) == seen  # nothing was sent


def test_an_unknown_thread_or_assistant_is_an_error_that_says_what_to_give() -> None:
    with (
        RunsServer() as server,
        threadruns.Client(api_key="k", base_url=server.url) as client,
        pytest.raises(threadruns.ThreadRunsError, match=r"does not know thread .* --new-thread-command"),
    ):
        check(client, assistant_id="asst_nobody", thread_id="thread_nowhere")


class Garble(httpx.HTTPTransport):
    """The real server's answers, with the run answers of one request replaced: ``edit(request, response)``."""

    def __init__(self, edit: Any) -> None:
        super().__init__()
        self.edit = edit

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        changed: httpx.Response | None = self.edit(request, response)
        return response if changed is None else changed


def _json(status: int, body: object, request: httpx.Request, **headers: str) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(body).encode(), headers=headers, request=request)


def _on_cancel(body: object) -> Any:
    def edit(request: httpx.Request, response: httpx.Response) -> httpx.Response | None:
        if request.url.path.endswith("/cancel"):
            response.read()
            return _json(200, body, request, **{"content-type": "application/json"})
        return None

    return edit


def _on_list(body: object) -> Any:
    def edit(request: httpx.Request, response: httpx.Response) -> httpx.Response | None:
        if request.method == "GET" and request.url.path.endswith("/runs"):
            response.read()
            return _json(200, body, request, **{"content-type": "application/json"})
        return None

    return edit


def _text_plain(request: httpx.Request, response: httpx.Response) -> httpx.Response | None:
    if request.method == "POST" and request.url.path.endswith("/runs"):
        response.read()
        headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-type", "content-length")}
        return httpx.Response(200, content=response.content, headers={**headers, "content-type": "text/plain"})
    return None


def _cut_streams(request: httpx.Request, response: httpx.Response) -> httpx.Response | None:
    if "event-stream" in response.headers.get("content-type", ""):
        head = b"".join(response.iter_raw())[:40]  # a few bytes of the first event, then the connection drops

        def broken() -> Any:
            yield head
            raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")

        return httpx.Response(200, headers=response.headers, stream=_Stream(broken()), request=request)
    return None


class _Stream(httpx.SyncByteStream):
    def __init__(self, chunks: Any) -> None:
        self.chunks = chunks

    def __iter__(self) -> Any:
        return iter(self.chunks)


@pytest.mark.parametrize(
    ("edit", "check_name", "text"),
    [
        (_on_cancel([1, 2]), "the checks run to their end", "cancel"),
        (_on_cancel("not json"), "the checks run to their end", "cancel"),
        (_on_list({"object": "list", "data": None}), "fields match the spec", "ListRunsResponse.data: null"),
        (_on_list([]), "fields match the spec", "ListRunsResponse: wrong type"),
        (_text_plain, "the answer parses", "content-type"),
        (_cut_streams, "ends with event: done / data: [DONE]", "RemoteProtocolError"),
    ],
)
def test_an_answer_however_broken_ends_in_a_report(server: RunsServer, edit: Any, check_name: str, text: str) -> None:
    """Answers no client can read are deviations in the report; check() itself never raises for them."""
    http = httpx.Client(transport=Garble(edit))
    with threadruns.Client(api_key="sk-test", base_url=server.url, http_client=http) as client:
        report = check(client, assistant_id="asst_conformance", tool_assistant_id="asst_tools", poll_timeout=10)
    http.close()
    assert not report.ok, report.table()
    rows = [r for r in report.deviations if r.check == check_name]
    assert rows and any(text in r.detail or text in r.operation for r in rows), report.table()


def test_a_stream_that_never_ends_is_cut_at_the_poll_timeout(server: RunsServer) -> None:
    def forever(request: httpx.Request, response: httpx.Response) -> httpx.Response | None:
        if "event-stream" not in response.headers.get("content-type", ""):
            return None
        response.close()

        def pings() -> Any:
            for _ in range(10_000):  # a keep-alive comment every 10 ms, for far longer than the bound
                time.sleep(0.01)
                yield b": ping\n\n"

        return httpx.Response(200, headers=response.headers, stream=_Stream(pings()), request=request)

    http = httpx.Client(transport=Garble(forever))
    started = time.monotonic()
    with threadruns.Client(api_key="sk-test", base_url=server.url, http_client=http) as client:
        report = check(client, assistant_id="asst_conformance", poll_timeout=1)
    http.close()
    assert time.monotonic() - started < 30
    assert any("still open after 1 s (poll_timeout)" in r.detail for r in report.deviations), report.table()


@pytest.mark.parametrize("value", [float("inf"), float("nan"), -1])
def test_the_poll_timeout_must_be_finite_and_positive(server: RunsServer, value: float) -> None:
    with (
        threadruns.Client(api_key="k", base_url=server.url) as client,
        pytest.raises(ValueError, match="poll_timeout must be a finite number"),
    ):
        check(client, assistant_id="asst_c", poll_timeout=value)


def test_a_run_waiting_for_calls_it_does_not_list_is_released_and_the_checks_go_on(server: RunsServer) -> None:
    def no_calls(body: object) -> None:
        for run in _runs_in(body):
            action = run.get("required_action")
            if isinstance(action, dict):
                action["submit_tool_outputs"]["tool_calls"] = []

    http = httpx.Client(transport=Proxy(no_calls))
    with threadruns.Client(api_key="sk-test", base_url=server.url, http_client=http) as client:
        report = check(client, assistant_id="asst_conformance", tool_assistant_id="asst_tools", poll_timeout=10)
    http.close()
    flagged = {(r.operation, r.check) for r in report.results if r.outcome != "pass"}
    assert flagged == {
        ("submit_tool_outputs", "the waiting run lists its tool calls"),
        ("submit_tool_outputs (stream)", "the waiting run lists its tool calls"),
    }, report.table()
